package dev.polymux.oauth.grant.service;

import static dev.polymux.common.grpc.CallersContext.backOnCallersContext;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.grpc.ProtoTime;
import dev.polymux.common.security.ServiceTokens;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.MutinyVaultServiceGrpc;
import dev.polymux.proto.vault.v1.PutTokenSetRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * Token sets live in vault-service, never here. Reads and compare-and-set writes over its gRPC API, with this
 * service's token. A write that lost a race answers {@link LostRace}; the caller reads again instead of overwriting.
 */
@ApplicationScoped
public class VaultTokenStore {

    /** A token set and the vault version it was read at (0: none stored). */
    public record Stored(TokenSet tokens, long version) {
        public static final Stored NONE = new Stored(null, 0);

        public boolean present() {
            return tokens != null;
        }
    }

    /** Another writer stored a newer token set first. */
    public static final class LostRace extends RuntimeException {
        public LostRace() {
            super("Another writer stored a newer token set first", null, false, false);
        }
    }

    private static final TypeReference<Map<String, String>> EXTRAS = new TypeReference<>() {
    };

    private final MutinyVaultServiceGrpc.MutinyVaultServiceStub vault;
    private final ServiceTokens serviceTokens;
    private final ObjectMapper mapper;
    private final OAuthConfig config;

    public VaultTokenStore(@GrpcClient("vault") MutinyVaultServiceGrpc.MutinyVaultServiceStub vault, ServiceTokens serviceTokens,
            ObjectMapper mapper, OAuthConfig config) {
        this.vault = vault;
        this.serviceTokens = serviceTokens;
        this.mapper = mapper;
        this.config = config;
    }

    public Uni<Stored> read(String tenant, String installationId, String purpose) {
        return backOnCallersContext(client().getTokenSet(GetTokenSetRequest.newBuilder().setTenantId(tenant).setInstallationId(installationId)
                .setPurpose(purpose).build())
                .map(stored -> new Stored(fromProto(stored), stored.getVersion()))
                .onFailure(StatusRuntimeException.class).recoverWithUni(failure -> {
                    if (((StatusRuntimeException) failure).getStatus().getCode() == Status.Code.NOT_FOUND
                            && failure.getMessage().contains("has no token set")) {
                        return Uni.createFrom().item(Stored.NONE);
                    }
                    return Uni.createFrom().failure(failure);
                }));
    }

    /** Stores {@code tokens} if the vault still holds {@code expectedVersion}; the new version, or {@link LostRace}. */
    public Uni<Long> write(String tenant, String installationId, TokenSet tokens, long expectedVersion) {
        return backOnCallersContext(client().putTokenSet(PutTokenSetRequest.newBuilder().setTenantId(tenant).setInstallationId(installationId)
                .setTokenSet(toProto(tokens)).setExpectedVersion(expectedVersion).build())
                .map(written -> written.getVersion())
                .onFailure(failure -> failure instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.ABORTED)
                .transform(failure -> new LostRace()));
    }


    /** Every call has a deadline: a vault that does not answer must not hold a refresh (and its lease) for ever. */
    private MutinyVaultServiceGrpc.MutinyVaultServiceStub client() {
        return serviceTokens.authorized(vault, config.internalCallTimeout());
    }

    private dev.polymux.proto.vault.v1.TokenSet toProto(TokenSet tokens) {
        dev.polymux.proto.vault.v1.TokenSet.Builder proto = dev.polymux.proto.vault.v1.TokenSet.newBuilder()
                .setAccessToken(tokens.accessToken().reveal()).setTokenType(tokens.tokenType())
                .addAllScopes(tokens.scopes());
        if (tokens.expires()) { // unset: the token never expires
            proto.setExpiresAt(ProtoTime.timestamp(tokens.expiresAt()));
        }
        if (tokens.hasRefreshToken()) {
            proto.setRefreshToken(tokens.refreshToken().reveal());
        }
        try {
            proto.setExtrasJson(mapper.writeValueAsString(tokens.extras()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Token extras do not serialize", e);
        }
        return proto.build();
    }

    private TokenSet fromProto(dev.polymux.proto.vault.v1.TokenSet proto) {
        Map<String, String> extras = new LinkedHashMap<>();
        if (!proto.getExtrasJson().isBlank()) {
            try {
                extras.putAll(mapper.readValue(proto.getExtrasJson(), EXTRAS));
            } catch (JsonProcessingException e) {
                // Extras are informational; a stored set with unreadable extras still carries usable tokens.
            }
        }
        return new TokenSet(Secret.of(proto.getAccessToken()), proto.getRefreshToken().isEmpty() ? null : Secret.of(proto.getRefreshToken()),
                proto.getTokenType(), proto.hasExpiresAt() ? ProtoTime.instant(proto.getExpiresAt()) : null,
                proto.getScopesList(), extras);
    }
}
