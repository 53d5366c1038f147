package dev.polymux.oauth.grant;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.grant.repository.GrantRepository;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.OAuthReplica;
import dev.polymux.oauth.support.ReuseDetectingProvider;
import dev.polymux.oauth.support.SharedDatabase;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A refresh never runs twice with one refresh token, across processes. Two refreshers over one database: this JVM's
 * app, and the packaged oauth-service as a separate process ({@link OAuthReplica}), both with a 3-second refresh lease.
 * The provider ({@link ReuseDetectingProvider}) takes 5 seconds to answer a refresh, longer than the lease, rotates
 * refresh tokens and detects their reuse: a refresh token presented twice is refused with invalid_grant and the grant
 * revoked, as Keycloak, Okta and GitHub apps do. A fixed lease lapses mid-request and the other process refreshes
 * with the same refresh token: the provider revokes the grant. A lease renewed while the request is in flight keeps
 * the other process off. Over several rotations: the provider sees exactly one request per rotation, never a token twice, the
 * grant stays active, no grant.broken is announced, and GetAccessToken answers from both processes throughout.
 * <p>
 * Runs after {@code package} (failsafe), since the second replica is this module's own quarkus-run.jar.
 */
@QuarkusTest
@TestProfile(RefreshFencingIT.ShortLease.class)
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(SharedDatabase.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(value = ReuseDetectingProvider.class, initArgs = {
        @ResourceArg(name = ReuseDetectingProvider.DELAY, value = RefreshFencingIT.PROVIDER_DELAY),
        @ResourceArg(name = ReuseDetectingProvider.ACCESS_TOKEN_SECONDS, value = "12") })
@WithTestResource(VaultServiceChild.class)
@WithTestResource(value = OAuthReplica.class, initArgs = { @ResourceArg(name = OAuthReplica.LEASE, value = RefreshFencingIT.LEASE),
        @ResourceArg(name = OAuthReplica.TOKEN_TIMEOUT, value = RefreshFencingIT.TOKEN_TIMEOUT) })
class RefreshFencingIT {

    /**
     * The refresh lease of both refreshers; how long the provider takes to answer a refresh, longer; and the token
     * request's deadline (the default), longer still, so the provider's answer is waited for: only a lease renewed
     * while it is on its way keeps the other refresher off.
     */
    static final String LEASE = "PT3S";
    static final String PROVIDER_DELAY = "PT5S";
    static final String TOKEN_TIMEOUT = "PT10S";

    private static final String TENANT = "initech";
    private static final String CONNECTOR = "acme-oauth";
    private static final int ROTATIONS = 4;

    /** This JVM's app: the same lease and token deadline as the replica (and the default scheduler pace, 1 s). */
    public static class ShortLease implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("polymux.oauth.refresh.lease", LEASE, "polymux.connectors.oauth.token-timeout", TOKEN_TIMEOUT);
        }
    }

    @Inject
    GrantRepository grants;

    @Test
    void aRefreshSlowerThanTheLeaseRunsOncePerRotationAcrossTwoProcessesAndTheGrantStaysActive() throws Exception {
        long started = System.nanoTime();
        ConcurrentLinkedQueue<String> callerFailures = new ConcurrentLinkedQueue<>();
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS);
                Tokens app = new Tokens(RestAssured.port);
                Tokens replica = new Tokens(OAuthReplica.port)) {
            String id = Connections.installed(TENANT, CONNECTOR, ReuseDetectingProvider.manifest(CONNECTOR));
            Connections.connect(TENANT, id);
            events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.GRANT_AUTHORIZED.equals(json.path("type").asText()));
            assertEquals(1, ReuseDetectingProvider.chains(), "one grant at the provider");

            // Both refreshers run on their own; callers (as dispatch) ask both processes for tokens meanwhile. Until
            // enough rotations, or the first sign of failure.
            long deadline = System.nanoTime() + Duration.ofSeconds(75).toNanos();
            while (ReuseDetectingProvider.rotations() < ROTATIONS && System.nanoTime() < deadline
                    && ReuseDetectingProvider.refreshes().stream().noneMatch(r -> r.reuse() || r.status() >= 400)
                    && OAuthGrant.ACTIVE.equals(status(id))) {
                ask(app, "app under test", id, callerFailures);
                ask(replica, "replica", id, callerFailures);
                Thread.sleep(1000);
            }
            // Let the refreshes in flight land, and their writes, so that what follows is where the grant ended up. (Bounded:
            // refreshers whose leases keep lapsing have requests in flight all the time.)
            long settled = System.nanoTime() + Duration.ofSeconds(12).toNanos();
            while (ReuseDetectingProvider.inFlight() > 0 && System.nanoTime() < settled) {
                Thread.sleep(100);
            }
            Thread.sleep(1000);

            List<ReuseDetectingProvider.Refresh> refreshes = ReuseDetectingProvider.refreshes();
            long distinct = refreshes.stream().map(ReuseDetectingProvider.Refresh::tokenHash).distinct().count();
            long reuses = refreshes.stream().filter(ReuseDetectingProvider.Refresh::reuse).count();
            long refused = refreshes.stream().filter(r -> r.status() >= 400).count();
            List<String> broken = events.allMatching(r -> {
                var json = KafkaEvents.parse(r.value());
                return id.equals(json.path("subject").asText()) && ConnectionEventTypes.GRANT_BROKEN.equals(json.path("type").asText());
            }, Duration.ofSeconds(2)).stream().map(r -> "grant.broken").toList();
            System.out.printf("Refresh fencing: %d refresh requests, %d distinct refresh tokens, %d reused, %d refused; refreshes by "
                    + "process (outcome counts): app under test %s, replica %s; grant %s, %d grant.broken event(s), %d failed "
                    + "GetAccessToken call(s)%n", refreshes.size(), distinct, reuses, refused,
                    outcomes(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class)),
                    outcomes(OAuthReplica.managementPort), status(id), broken.size(), callerFailures.size());

            assertEquals(0, reuses, "no refresh token was presented twice (the grant is now " + status(id) + ")");
            assertEquals(distinct, refreshes.size(), "one refresh request per refresh token: one per rotation");
            assertEquals(0, refused, "the provider refused no refresh");
            assertTrue(ReuseDetectingProvider.rotations() >= 3, "several rotations: " + ReuseDetectingProvider.rotations());
            assertEquals(OAuthGrant.ACTIVE, status(id), "the grant stays active");

            // The newest refresh token the provider issued is the one vault-service holds: no rotation was lost.
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertEquals(
                    ReuseDetectingProvider.latestIssuedHash(1), ReuseDetectingProvider.hash(app.stored(TENANT, id).getRefreshToken()),
                    "the refresh token stored is the newest issued (compared by SHA-256)"));

            ask(app, "app under test", id, callerFailures);
            ask(replica, "replica", id, callerFailures);
            assertEquals(List.of(), List.copyOf(callerFailures), "GetAccessToken answered every caller, in both processes");
            assertEquals(List.of(), broken, "no grant.broken announced");
        }
        System.out.printf("Refresh fencing test took %d s%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    /** GetAccessToken as dispatch asks it (a token valid at least 1 s more); failures are recorded by status, never a token. */
    private static void ask(Tokens process, String name, String id, ConcurrentLinkedQueue<String> failures) {
        try {
            if (process.accessToken(TENANT, id, 1).getAccessToken().isEmpty()) {
                failures.add(name + ": an empty access token");
            }
        } catch (StatusRuntimeException e) {
            failures.add(name + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
        }
    }

    private String status(String id) {
        OAuthGrant grant = OnVertxContext.await(() -> Panache.withSession(() -> grants.findById(id)));
        return grant == null ? null : grant.status;
    }

    private static final Pattern REFRESHES = Pattern.compile("^polymux_oauth_refreshes_total\\{[^}]*outcome=\"([a-z_]+)\"[^}]*} ([0-9.E+-]+)$");

    /** A process's polymux.oauth.refreshes counters by outcome, from its metrics endpoint (for the report only). */
    private static Map<String, Long> outcomes(int managementPort) {
        Map<String, Long> counts = new TreeMap<>();
        try {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : metrics.split("\n")) {
                Matcher m = REFRESHES.matcher(line.trim());
                if (m.matches()) {
                    counts.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
                }
            }
        } catch (IOException e) {
            counts.put("unreadable", -1L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return counts;
    }
}
