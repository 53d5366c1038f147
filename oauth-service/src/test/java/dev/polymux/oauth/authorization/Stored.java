package dev.polymux.oauth.authorization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;

/** What a callback left behind, read where it lives: token sets in the real vault-service, rows in PostgreSQL, events on the broker. */
final class Stored implements AutoCloseable {

    private final ManagedChannel vault = GrpcChannels.open(VaultServiceChild.port);

    TokenSet tokens(String tenant, String id) {
        return GrpcChannels.as(VaultServiceGrpc.newBlockingStub(vault), TestTokens.service("oauth-service"))
                .getTokenSet(GetTokenSetRequest.newBuilder().setTenantId(tenant).setInstallationId(id).build());
    }

    /** No token set in the vault, no grant row, no grant.authorized event (among those {@code events} saw). */
    void assertNothingFor(String tenant, String id, KafkaEvents events) {
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> tokens(tenant, id));
        assertEquals(Status.Code.NOT_FOUND, none.getStatus().getCode(), "no token set in the vault");
        assertEquals(0L, grantRows(id), "no grant row");
        List<?> authorized = events.allMatching(record -> {
            var event = KafkaEvents.parse(record.value());
            return id.equals(event.path("subject").asText()) && ConnectionEventTypes.GRANT_AUTHORIZED.equals(event.path("type").asText());
        }, Duration.ofSeconds(2));
        assertEquals(List.of(), authorized, "no grant.authorized event");
    }

    static long grantRows(String id) {
        return OnVertxContext.await(() -> Panache.withSession(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("select count(*) from grant_state where installation_id = ?1", Long.class).setParameter(1, id)
                .getSingleResult())));
    }

    static String connectedBy(String id) {
        return OnVertxContext.await(() -> Panache.withSession(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("select connected_by from grant_state where installation_id = ?1", String.class).setParameter(1, id)
                .getSingleResult())));
    }

    /** An expression over the authorize request with this state hash (its columns by name). */
    static <T> T request(String stateHash, String expression, Class<T> type) {
        return OnVertxContext.await(() -> Panache.withSession(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("select " + expression + " from authorization_request where state_hash = ?1", type)
                .setParameter(1, stateHash).getSingleResultOrNull())));
    }

    @Override
    public void close() throws InterruptedException {
        GrpcChannels.close(vault);
    }
}
