package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.CommittedResults;
import dev.polymux.dispatch.support.DispatchChild;
import dev.polymux.dispatch.support.DispatchGroup;
import dev.polymux.dispatch.support.LoadProviderStub;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderRuns.Run;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaBroker;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.restassured.RestAssured;

/**
 * The crash tests: the dispatcher (the packaged service, a child process) killed with SIGKILL mid-load and restarted,
 * stopped with SIGTERM, and run as two replicas of which the second joins mid-load (a rebalance) and the first is
 * then killed. Every call id then has exactly one result on polymux.tool-results.v1 for a read_committed reader, and
 * at the provider no call ran twice unless it was in flight when a replica went. Runs after packaging (failsafe),
 * against the real registry, vault-service and oauth-service as child processes.
 * <p>
 * "In flight at a disruption" is measured, not assumed. The provider's request journal has when each request was
 * received (test JVM clock, ms); a results reader on a thread of its own has when each result was first seen, which
 * is after its commit. A disruption is a window: from just before SIGKILL is sent (or the second replica is launched)
 * until the group is seen stable again with the replicas holding their partitions. A call may run again only if a run
 * was received before a disruption ended and the next run after it began; it may never run after its result was seen,
 * and in the kill tests, never at all again once the killed replica had committed its result: after the kill, the
 * reader reads all that replica committed before anything restarts. That allows both calls still at the provider at
 * the kill and calls whose answer was in but whose result was not committed yet (within the commit cadence, or a batch
 * with the old consumer); the figures printed say how many of each, and how old the oldest answer not committed was.
 * <p>
 * Calls are keyed by their installation id, as the dispatcher requires; one installation per tool-calls partition, so
 * that calls land on every partition and a rebalance moves some of them.
 */
class DispatcherCrashIT {

    private static final List<Runnable> STOPS = new ArrayList<>();
    /**
     * A disruption of the group is over once it was seen stable and unchanged this long: a restarted static leader,
     * for one, can set off another rebalance after it is back in the group (seen with the batch consumer).
     */
    private static final Duration SETTLED = Duration.ofSeconds(4);
    /** Installation id by tool-calls partition, each of its own tenant with stored credentials. */
    private static final Map<Integer, String> INSTALLATIONS = new LinkedHashMap<>();
    private static final Map<String, String> TENANTS = new HashMap<>();

    /** A window in which a replica went or partitions moved: [from, to], epoch ms. */
    private record Disruption(String what, long from, long to) {
    }

    @BeforeAll
    static void platform() {
        KafkaBroker.bootstrapServers();
        List.of(EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, EventTopics.TOOL_CALLS_DLQ, EventTopics.CONNECTION_EVENTS,
                EventTopics.REGISTRY_EVENTS, EventTopics.AUDIT_EVENTS).forEach(topic -> KafkaBroker.ensureTopic(topic, 3));
        RestAssured.baseURI = "http://localhost";
        for (var resource : List.of(new AuthorizationServer(), new ProviderStub(), new RegistryServiceChild(), new VaultServiceChild(), new OAuthChild())) {
            resource.start();
            STOPS.addFirst(resource::stop);
        }
        Suite.published();
        LoadProviderStub.takeOverProviderStub();
        STOPS.addFirst(LoadProviderStub::stop);
        // Installation ids are the registry's: install until every partition has one (a few tries; 24 miss one of
        // three partitions once in ~2,000 runs).
        int partitions = DispatchGroup.partitions();
        for (int tries = 0; tries < 8 * partitions && INSTALLATIONS.size() < partitions; tries++) {
            String tenant = "crash-it-" + UUID.randomUUID().toString().substring(0, 8);
            String installation = Platform.install(tenant, Suite.PLUGIN).get("acme");
            int partition = DispatchGroup.partitionOf(installation, partitions);
            if (!INSTALLATIONS.containsKey(partition)) {
                Platform.storeCredentials(tenant, installation, "{\"value\":\"acme_live_crashit\"}");
                INSTALLATIONS.put(partition, installation);
                TENANTS.put(installation, tenant);
            }
        }
        assertTrue(INSTALLATIONS.size() >= 2, "calls land on more than one partition: " + INSTALLATIONS);
    }

    @AfterAll
    static void stop() {
        STOPS.forEach(Runnable::run);
    }

    @Test
    void everyCallHasExactlyOneResultAfterTheDispatcherIsKilledMidwayAndRestarted() throws Exception {
        int calls = 2000;
        DispatchChild dispatcher = new DispatchChild("dispatch-crash-test");
        dispatcher.start();
        try (Scenario run = new Scenario("crash-", calls, true)) {
            run.publish();
            // Kill mid-load: results committed, calls running at the provider, slow ones among them.
            run.awaitUntil(() -> run.results.calls() >= calls / 5 && run.atTheProvider("") > 20 && run.atTheProvider("slow-") > 0,
                    "results committed and calls, a slow one among them, running at the provider");
            Disruption killed = kill(dispatcher);
            // Nothing can commit now: once quiet, the reader has every result the killed replica committed.
            run.results.awaitQuiet(Duration.ofSeconds(2), Duration.ofSeconds(30));
            Set<String> committedBeforeTheKill = run.results.snapshot().keySet();
            assertTrue(!committedBeforeTheKill.isEmpty() && committedBeforeTheKill.size() < calls,
                    "killed midway: " + committedBeforeTheKill.size() + " of " + calls + " results were committed");

            // Until the restart no dispatcher runs: a request the provider logged before it is the killed replica's,
            // even one that reached the provider just as the replica died.
            Disruption kill = new Disruption(killed.what(), killed.from(), System.currentTimeMillis());
            dispatcher.start(); // the same transactional id: the restarted replica fences its former self
            run.awaitAllResults();

            run.assertExactlyOneSucceededResultEach();
            Map<String, List<Run>> runs = run.runsByCallId();
            assertEquals(List.of(), committedBeforeTheKill.stream().filter(id -> runs.get(id).size() > 1).sorted().toList(),
                    "no call whose result was committed before the kill ran again");
            // In flight at the kill: the provider had received it, and its result was not committed.
            Set<String> inFlight = runs.entrySet().stream()
                    .filter(call -> call.getValue().getFirst().receivedAt() <= kill.to() && !committedBeforeTheKill.contains(call.getKey()))
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            assertFalse(inFlight.isEmpty(), "calls were in flight at the kill");
            assertEquals(List.of(), inFlight.stream().filter(id -> runs.get(id).size() != 2 || runs.get(id).get(1).receivedAt() < kill.to())
                    .sorted().toList(), "each call in flight at the kill ran exactly once more, after the restart");
            assertEquals(List.of(), runs.entrySet().stream().filter(call -> !inFlight.contains(call.getKey()) && call.getValue().size() != 1)
                    .map(Map.Entry::getKey).sorted().toList(), "every other call ran once");
            run.assertRanAgainOnlyWhenInFlightAt(List.of(kill));
            System.out.printf("Crash test: %d of %d results committed before the kill; %s%n", committedBeforeTheKill.size(), calls,
                    run.describeInFlight(inFlight, killed));
        } finally {
            dispatcher.stop();
            DispatchGroup.removeStaticMembers(List.of(dispatcher.transactionalId()));
        }
    }

    @Test
    void aStoppedDispatcherFinishesAndCommitsItsBatchBeforeItExits() throws Exception {
        int calls = 1000;
        DispatchChild dispatcher = new DispatchChild("dispatch-drain-test");
        dispatcher.start();
        try (Scenario run = new Scenario("drain-", calls, false)) {
            run.publish();
            run.awaitUntil(() -> run.results.calls() >= calls / 10 && run.atTheProvider("") > 20,
                    "results committed and calls running at the provider");
            int inFlightAtStop = run.withoutResult();
            dispatcher.stop(); // SIGTERM: stop taking calls, finish the ones running, commit, exit
            int providerCallsBeforeRestart = run.providerCalls();

            dispatcher.start();
            run.awaitAllResults();

            assertTrue(inFlightAtStop > 0, "stopped while calls were in flight");
            run.assertExactlyOneSucceededResultEach();
            assertEquals(calls, run.providerCalls(), "no call ran twice: the calls running at SIGTERM were finished and committed ("
                    + providerCallsBeforeRestart + " provider calls before the restart)");
        } finally {
            dispatcher.stop();
            DispatchGroup.removeStaticMembers(List.of(dispatcher.transactionalId()));
        }
    }

    @Test
    void everyCallHasExactlyOneResultWhenASecondReplicaJoinsMidwayAndTheFirstIsKilled() throws Exception {
        DispatchChild first = new DispatchChild("dispatch-crash-first");
        DispatchChild second = new DispatchChild("dispatch-crash-second");
        List<String> both = List.of(first.transactionalId(), second.transactionalId());
        int partitions = DispatchGroup.partitions();
        first.start();
        Thread publishing = null;
        try (Scenario run = new Scenario("rebalance-", 12_000, true)) {
            publishing = run.publishPaced(100); // until the first replica is back
            run.awaitUntil(() -> run.results.calls() >= 200 && run.atTheProvider("slow-") > 0,
                    "the first replica committing, a slow call running at the provider");

            long joinFrom = System.currentTimeMillis();
            second.start();
            long joinTo = DispatchGroup.awaitSettled(members -> holdPartitions(members, both, partitions), SETTLED, Duration.ofSeconds(60));
            Disruption rebalance = new Disruption("the second replica joined", joinFrom, joinTo);
            int firstHadCommitted = run.results.publishedBy(first.eventSource()).size();

            // Mid-load again, both replicas committing: kill the first.
            Thread load = publishing;
            run.awaitUntil(() -> run.results.publishedBy(second.eventSource()).size() >= 100
                    && run.results.publishedBy(first.eventSource()).size() >= firstHadCommitted + 100 && run.atTheProvider("slow-") > 0
                    && load.isAlive(), "both replicas committing under load, a slow call running at the provider");
            Map<String, DispatchGroup.Member> before = DispatchGroup.members();
            Set<Integer> firstsPartitions = before.get(first.transactionalId()).partitions();
            Disruption killed = kill(first);
            // The first cannot commit now: once none of its results arrive for a while, the reader has all it committed.
            run.results.awaitUntil(quietFrom(run.results, first.eventSource(), Duration.ofSeconds(2)), Duration.ofSeconds(30));
            Set<String> committedByTheKilled = run.results.publishedBy(first.eventSource());

            first.start();
            String formerMember = before.get(first.transactionalId()).memberId();
            long backTo = DispatchGroup.awaitSettled(members -> holdPartitions(members, both, partitions)
                    && !members.get(first.transactionalId()).memberId().equals(formerMember), SETTLED, Duration.ofSeconds(60));
            Disruption kill = new Disruption("the first replica was killed and restarted", killed.from(), backTo);
            Thread.sleep(2000); // load on both replicas again, then the last calls
            run.stopPublishing();
            publishing.join();
            run.awaitAllResults();

            run.assertExactlyOneSucceededResultEach();
            Map<String, List<Run>> runs = run.runsByCallId();
            assertEquals(List.of(), committedByTheKilled.stream().filter(id -> runs.get(id).getLast().receivedAt() > kill.from()).sorted().toList(),
                    "no call whose result the killed replica had committed ran again");
            // In flight at the kill on the killed replica's partitions: received before it, not committed by it.
            Set<String> inFlightAtTheKill = runs.entrySet().stream()
                    .filter(call -> firstsPartitions.contains(run.partitionOf(call.getKey())) && call.getValue().getFirst().receivedAt() <= kill.from()
                            && !committedByTheKilled.contains(call.getKey()))
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            assertFalse(inFlightAtTheKill.isEmpty(), "calls were in flight on the killed replica");
            assertEquals(List.of(), inFlightAtTheKill.stream().filter(id -> runs.get(id).size() < 2 || runs.get(id).getLast().receivedAt() < kill.from())
                    .sorted().toList(), "each call in flight on the killed replica ran again after the kill");
            run.assertRanAgainOnlyWhenInFlightAt(List.of(rebalance, kill));
            System.out.printf("Rebalance test: the second replica joined in %d ms (from launch to the group stable); the first"
                    + " held partitions %s when killed; results committed by the first %d, by the second %d; at the kill %s%n",
                    joinTo - joinFrom, firstsPartitions, run.results.publishedBy(first.eventSource()).size(),
                    run.results.publishedBy(second.eventSource()).size(), run.describeInFlight(inFlightAtTheKill, killed));
        } finally {
            if (publishing != null) {
                publishing.interrupt();
            }
            second.stop();
            first.stop();
            DispatchGroup.removeStaticMembers(both);
        }
    }

    /** Every replica named is in the group and holds a partition, and every partition is held. */
    private static boolean holdPartitions(Map<String, DispatchGroup.Member> members, List<String> replicas, int partitions) {
        return replicas.stream().allMatch(replica -> members.containsKey(replica) && !members.get(replica).partitions().isEmpty())
                && members.values().stream().mapToInt(member -> member.partitions().size()).sum() == partitions;
    }

    private static BooleanSupplier quietFrom(CommittedResults results, String source, Duration quiet) {
        int[] count = {-1};
        long[] changedAt = {System.currentTimeMillis()};
        return () -> {
            int now = results.publishedBy(source).size();
            if (now != count[0]) {
                count[0] = now;
                changedAt[0] = System.currentTimeMillis();
            }
            return System.currentTimeMillis() - changedAt[0] >= quiet.toMillis();
        };
    }

    /** SIGKILL, from just before the signal to the process being gone. */
    private static Disruption kill(DispatchChild dispatcher) {
        long from = System.currentTimeMillis();
        dispatcher.kill();
        return new Disruption(dispatcher.transactionalId() + " killed", from, System.currentTimeMillis());
    }

    /**
     * One test's calls, each named {@code prefix + n} (its provider path {@code /widgets/<name>}), keyed by the
     * installation of its partition, round-robin over the partitions. With slow calls: 1 in 20 takes 2-3 s at the
     * provider, the rest 50-100 ms; without: 100 ms each.
     */
    private static final class Scenario implements AutoCloseable {

        private final String prefix;
        private final int calls;
        private final boolean withSlowCalls;
        private final AtomicInteger published = new AtomicInteger();
        private volatile boolean publishing = true;
        private final List<String> callIds = new ArrayList<>();
        private final Map<String, String> callIdByName = new HashMap<>();
        private final Map<String, Integer> partitionByCallId = new HashMap<>();
        private final List<Integer> partitions = List.copyOf(INSTALLATIONS.keySet());
        final CommittedResults results;

        Scenario(String prefix, int calls, boolean withSlowCalls) {
            this.prefix = prefix;
            this.calls = calls;
            this.withSlowCalls = withSlowCalls;
            for (int i = 0; i < calls; i++) {
                String callId = prefix + i + "-" + UUID.randomUUID();
                callIds.add(callId);
                callIdByName.put(name(i), callId);
                partitionByCallId.put(callId, partitions.get(i % partitions.size()));
            }
            LoadProviderStub.server().stubFor(get(urlPathMatching("/widgets/" + prefix + "[0-9]+"))
                    .willReturn(withSlowCalls ? widget().withUniformRandomDelay(50, 100) : widget().withFixedDelay(100)));
            LoadProviderStub.server().stubFor(get(urlPathMatching("/widgets/" + prefix + "slow-[0-9]+")).willReturn(widget().withUniformRandomDelay(2000, 3000)));
            this.results = new CommittedResults(prefix);
        }

        private static ResponseDefinitionBuilder widget() {
            return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"ok\":true}");
        }

        private boolean slow(int i) {
            return withSlowCalls && i % 20 == 7;
        }

        private String name(int i) {
            return (slow(i) ? prefix + "slow-" : prefix) + i;
        }

        int partitionOf(String callId) {
            return partitionByCallId.get(callId);
        }

        void publish() {
            try (ToolCalls publisher = new ToolCalls()) {
                for (int i = 0; i < calls; i++) {
                    publish(publisher, i);
                }
                publisher.flush();
            }
        }

        /** Publishes calls at about this rate on a thread of its own, until {@link #stopPublishing()} (or all are). */
        Thread publishPaced(int perSecond) {
            return Thread.ofPlatform().name("publish-" + prefix).start(() -> {
                try (ToolCalls publisher = new ToolCalls()) {
                    long started = System.nanoTime();
                    for (int i = 0; i < calls && publishing; i++) {
                        publish(publisher, i);
                        long due = started + i * 1_000_000_000L / perSecond;
                        long ahead = due - System.nanoTime();
                        if (ahead > 0) {
                            Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                        }
                    }
                    publisher.flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void stopPublishing() {
            publishing = false;
        }

        private void publish(ToolCalls publisher, int i) {
            String callId = callIds.get(i);
            String installation = INSTALLATIONS.get(partitionOf(callId));
            publisher.publish(installation, ToolCalls.event(callId, TENANTS.get(installation), Suite.PLUGIN, "acme", "get_widget",
                    "{\"id\":\"" + name(i) + "\"}", Instant.now().plusSeconds(300)));
            published.incrementAndGet();
        }

        int providerCalls() {
            return LoadProviderStub.runs().under("/widgets/" + prefix).values().stream().mapToInt(List::size).sum();
        }

        /** Calls the provider has received and whose result is not committed yet. */
        int withoutResult() {
            return (int) LoadProviderStub.runs().under("/widgets/" + prefix).keySet().stream()
                    .filter(name -> results.of(callIdByName.get(name)).isEmpty()).count();
        }

        /** Requests the provider is answering now, of the calls whose name goes on with {@code kind} ("slow-": slow calls). */
        int atTheProvider(String kind) {
            long now = System.currentTimeMillis();
            return (int) LoadProviderStub.runs().under("/widgets/" + prefix + kind).values().stream().flatMap(List::stream)
                    .filter(run -> run.answeredAt() > now).count();
        }

        /** Each call's runs at the provider, oldest first. */
        Map<String, List<Run>> runsByCallId() {
            Map<String, List<Run>> byCallId = new HashMap<>();
            LoadProviderStub.runs().under("/widgets/" + prefix).forEach((name, runs) -> byCallId.put(callIdByName.get(name), runs));
            return byCallId;
        }

        void awaitUntil(BooleanSupplier condition, String what) {
            assertTrue(results.awaitUntil(condition, Duration.ofSeconds(90)), "the test reached the point where " + what);
        }

        /** Until every call published has a result, then 3 s more: duplicates, if any, would arrive then. */
        void awaitAllResults() throws InterruptedException {
            results.awaitUntil(() -> results.calls() >= published.get(), Duration.ofSeconds(180));
            Thread.sleep(3000);
        }

        void assertExactlyOneSucceededResultEach() {
            Map<String, CommittedResults.Seen> seen = results.snapshot();
            assertEquals(published.get(), seen.size(), "every call has a result");
            assertEquals(List.of(), seen.entrySet().stream().filter(e -> e.getValue().count() > 1).map(Map.Entry::getKey).sorted().toList(),
                    "exactly one result per call id");
            List<String> failed = seen.entrySet().stream().filter(e -> !"succeeded".equals(e.getValue().status())).map(Map.Entry::getKey)
                    .sorted().toList();
            assertEquals(List.of(), failed, "every call succeeded" + (failed.isEmpty() ? "" : "; the first failed with "
                    + seen.get(failed.getFirst()).errorCode() + ": " + seen.get(failed.getFirst()).errorMessage()));
        }

        /**
         * A call ran again only across a disruption, and never after its result was committed: every run but the
         * last was received before a disruption ended, the next one after that disruption began; a call ran at most
         * once more per disruption; and no run was received after the call's result was seen.
         */
        void assertRanAgainOnlyWhenInFlightAt(List<Disruption> disruptions) {
            List<String> violations = new ArrayList<>();
            runsByCallId().forEach((callId, runs) -> {
                long committedBy = results.of(callId).orElseThrow().firstSeenAt();
                if (runs.getLast().receivedAt() > committedBy) {
                    violations.add(callId + " ran after its result was committed: " + describe(runs, committedBy));
                } else if (runs.size() > 1 + disruptions.size()) {
                    violations.add(callId + " ran " + runs.size() + " times: " + describe(runs, committedBy));
                }
                for (int i = 0; i + 1 < runs.size(); i++) {
                    Run ran = runs.get(i);
                    Run again = runs.get(i + 1);
                    if (disruptions.stream().noneMatch(d -> ran.receivedAt() <= d.to() && again.receivedAt() >= d.from())) {
                        violations.add(callId + " ran again, but not across a disruption " + disruptions + ": " + describe(runs, committedBy));
                    }
                }
            });
            assertEquals(List.of(), violations, "calls ran again only when in flight at a disruption");
        }

        /** How many calls in flight at the kill were still at the provider, and how many answered but not committed. */
        String describeInFlight(Set<String> inFlight, Disruption kill) {
            Map<String, List<Run>> runs = runsByCallId();
            List<Long> answeredAgo = inFlight.stream().map(id -> runs.get(id).getFirst()).filter(run -> run.answeredAt() <= kill.from())
                    .map(run -> kill.from() - run.answeredAt()).sorted().toList();
            long ranTwice = runs.values().stream().filter(list -> list.size() > 1).count();
            return String.format("%d calls were in flight (the provider had their request, their result was not committed): %d still at"
                    + " the provider, %d answered but not committed (the oldest answer %s ms before the kill); %d calls ran more than once;"
                    + " the provider saw %d requests for %d calls", inFlight.size(), inFlight.size() - answeredAgo.size(), answeredAgo.size(),
                    answeredAgo.isEmpty() ? "-" : answeredAgo.getLast(), ranTwice, providerCalls(), published.get());
        }

        private static String describe(List<Run> runs, long committedBy) {
            return "received at " + runs.stream().map(run -> String.valueOf(run.receivedAt())).toList() + ", result seen at " + committedBy;
        }

        @Override
        public void close() {
            results.close();
        }
    }
}
