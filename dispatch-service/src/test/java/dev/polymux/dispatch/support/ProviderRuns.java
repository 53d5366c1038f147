package dev.polymux.dispatch.support;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.github.tomakehurst.wiremock.common.Timing;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * Each call's runs as the provider saw them: a WireMock listener that notes every request the moment it arrives
 * (before the stub's delay is waited out, so a call still running at the provider is there), and when its answer was
 * due (arrival + the stub's delay). Epoch ms on the test JVM's clock, the clock the tests read their results by. For
 * stubs whose path ends in a name per call, e.g. {@code /widgets/{id}}.
 */
public final class ProviderRuns implements ServeEventListener {

    /** One request: when the provider received it, and when its answer was due ({@link Long#MAX_VALUE} until known). */
    public record Run(long receivedAt, long answeredAt) {
    }

    private record Arrival(String path, long receivedAt) {
    }

    private final Map<UUID, Arrival> arrivals = new ConcurrentHashMap<>();
    private final Map<UUID, Long> answers = new ConcurrentHashMap<>();

    @Override
    public String getName() {
        return "provider-runs";
    }

    @Override
    public void beforeMatch(ServeEvent event, Parameters parameters) {
        String url = event.getRequest().getUrl();
        int query = url.indexOf('?');
        arrivals.put(event.getId(), new Arrival(query < 0 ? url : url.substring(0, query), System.currentTimeMillis()));
    }

    @Override
    public void afterComplete(ServeEvent event, Parameters parameters) {
        Arrival arrival = arrivals.get(event.getId());
        Timing timing = event.getTiming();
        if (arrival != null && timing != null && timing.getAddedDelay() != null) {
            answers.put(event.getId(), arrival.receivedAt() + timing.getAddedDelay());
        }
    }

    /** The runs by the path's last segment, of the requests whose path starts with {@code pathPrefix}, oldest first. */
    public Map<String, List<Run>> under(String pathPrefix) {
        Map<String, List<Run>> runs = new HashMap<>();
        arrivals.forEach((id, arrival) -> {
            if (arrival.path().startsWith(pathPrefix)) {
                runs.computeIfAbsent(arrival.path().substring(arrival.path().lastIndexOf('/') + 1), name -> new ArrayList<>())
                        .add(new Run(arrival.receivedAt(), answers.getOrDefault(id, Long.MAX_VALUE)));
            }
        });
        runs.values().forEach(list -> list.sort(Comparator.comparingLong(Run::receivedAt)));
        return runs;
    }
}
