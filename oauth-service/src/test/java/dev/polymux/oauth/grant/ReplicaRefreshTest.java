package dev.polymux.oauth.grant;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.polymux.common.reactive.SeparateContexts;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.grant.repository.GrantRepository;
import dev.polymux.oauth.grant.service.GrantService;
import dev.polymux.oauth.grant.service.RefreshScheduler;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * Several replicas over one database: three more refresh loops (own lease owners, own connections) beside the
 * app's own scheduler, and 200 grants due at the same moment. The authorization server counts the refresh requests:
 * exactly one per grant, and none breaks.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class ReplicaRefreshTest {

    private static final int GRANTS = 200;

    @Inject
    GrantRepository grants;

    @Inject
    GrantService service;

    @Inject
    OAuthConfig config;

    @Inject
    SeparateContexts contexts;

    @Test
    void twoHundredGrantsDueTogetherAreRefreshedExactlyOnceEachAcrossReplicas() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < GRANTS; i++) {
            ids.add(Connections.installed("cyberdyne", "acme-oauth", AuthorizationServer.manifest("acme-oauth")));
        }
        ids.forEach(id -> Connections.connect("cyberdyne", id));

        // Park them, read what each holds, then make all of them due at the same moment.
        OnVertxContext.await(() -> Panache.withTransaction(() -> grants.update("refreshAt = ?1 where tenant = ?2",
                Instant.now().plusSeconds(3600), "cyberdyne")));
        Map<String, String> refreshTokens = new LinkedHashMap<>();
        Map<String, Long> versions = new LinkedHashMap<>();
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            for (String id : ids) {
                var stored = tokens.stored("cyberdyne", id);
                refreshTokens.put(id, stored.getRefreshToken());
                versions.put(id, stored.getVersion());
            }
        }
        OnVertxContext.await(() -> Panache.withTransaction(() -> grants.update("refreshAt = ?1 where tenant = ?2",
                Instant.now().plusSeconds(1), "cyberdyne")));

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> replicas = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            RefreshScheduler.Refresher refresher = new RefreshScheduler.Refresher("test-replica-" + r, grants, service, config, contexts);
            Thread replica = new Thread(() -> {
                while (running.get()) {
                    try {
                        OnVertxContext.await(refresher::round);
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            }, "replica-" + r);
            replica.start();
            replicas.add(replica);
        }
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> refreshedSince(versions) == GRANTS);
        } finally {
            running.set(false);
            for (Thread replica : replicas) {
                replica.join(10_000);
            }
        }
        assertEquals(List.of(), List.copyOf(failures));

        List<String> notOnce = new ArrayList<>();
        for (String id : ids) {
            long refreshes = Tokens.refreshesWith(refreshTokens.get(id));
            if (refreshes != 1) {
                notOnce.add(id + " refreshed " + refreshes + " times");
            }
        }
        assertEquals(List.of(), notOnce, "one refresh per grant per cycle, counted at the authorization server");
        assertEquals(0L, OnVertxContext.await(() -> Panache.withSession(() -> grants.count("tenant = ?1 and status <> 'active'", "cyberdyne"))));
    }

    /** How many grants hold a newer token set than the version read before they were made due. */
    private long refreshedSince(Map<String, Long> versions) {
        Map<String, Long> now = new LinkedHashMap<>();
        OnVertxContext.await(() -> Panache.withSession(() -> grants.list("tenant = ?1", "cyberdyne")))
                .forEach(grant -> now.put(grant.installationId, grant.tokenVersion));
        return versions.entrySet().stream().filter(e -> now.getOrDefault(e.getKey(), 0L) > e.getValue()).count();
    }
}
