package dev.polymux.dispatch.credential.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.polymux.common.grpc.ProtoTime;
import dev.polymux.common.security.ServiceTokens;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.grpc.InternalCalls;
import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.toolcall.ErrorCode;
import dev.polymux.dispatch.toolcall.service.CallFailure;
import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.oauth.v1.GetAccessTokenRequest;
import dev.polymux.proto.oauth.v1.InvalidateRequest;
import dev.polymux.proto.oauth.v1.MutinyOAuthServiceGrpc;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.MutinyVaultServiceGrpc;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * The credentials a call runs with. OAuth connections: an access token from oauth-service that is valid for at least
 * {@code polymux.dispatch.oauth.min-token-validity} when it is handed out, asked for before every attempt; the cached
 * one is reused while it is, so a token only has to be valid when the request reaches the provider, not for the
 * call's whole deadline, and tokens of any lifetime work. Vault and integration connections: the stored values from
 * vault-service, kept briefly (every vault read is audited) and dropped on connection events. Nothing here logs or
 * returns a value in a message.
 */
@ApplicationScoped
public class CredentialSource {

    private final MutinyVaultServiceGrpc.MutinyVaultServiceStub vault;
    private final MutinyOAuthServiceGrpc.MutinyOAuthServiceStub oauth;
    private final ServiceTokens serviceTokens;
    private final Duration minTokenValidity;
    private final Cache<String, AccessToken> tokens;
    private final Cache<String, Map<String, Secret>> secrets;
    /**
     * The fetch in flight per installation: the calls that miss the cache together share one request. Without it,
     * while oauth-service or vault-service restarts, every waiting call of an installation retries on its own and the
     * retries slow the restart down (seen in system-tests: hundreds of requests a second against a starting service).
     */
    private final ConcurrentMap<String, Uni<AccessToken>> tokenFetches = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Uni<Map<String, Secret>>> secretFetches = new ConcurrentHashMap<>();
    /** A shared fetch is bounded by the longest any call may run; each call still ends at its own deadline. */
    private final Duration sharedFetchBound;

    public CredentialSource(@GrpcClient("vault") MutinyVaultServiceGrpc.MutinyVaultServiceStub vault,
            @GrpcClient("oauth") MutinyOAuthServiceGrpc.MutinyOAuthServiceStub oauth, ServiceTokens serviceTokens, DispatchConfig config) {
        this.vault = vault;
        this.oauth = oauth;
        this.serviceTokens = serviceTokens;
        this.minTokenValidity = config.oauth().minTokenValidity();
        this.sharedFetchBound = config.maxCallDuration();
        this.tokens = Caffeine.newBuilder().maximumSize(config.cache().maxEntries()).build();
        this.secrets = Caffeine.newBuilder().maximumSize(config.cache().maxEntries())
                .expireAfterWrite(config.cache().secretTtl()).build();
    }

    /**
     * Credentials for an attempt of a call to {@code connection} that must end by {@code deadline} (which bounds the
     * wait here, not the validity of a token). For OAuth connections ask again before each attempt.
     */
    public Uni<Credentials> forCall(ResolvedConnection connection, String purpose, Instant deadline) {
        return connection.oauth() ? accessToken(connection, deadline).map(CredentialSource::credentials)
                : storedValues(connection, purpose, deadline).map(Credentials::fields);
    }

    /**
     * The provider rejected this access token (HTTP 401): oauth-service is told, so that the next token is a refreshed
     * one, and the cached token is dropped unless a newer one replaced it already.
     */
    public Uni<Void> rejected(ResolvedConnection connection, Credentials.OAuthToken rejected, Instant deadline) {
        tokens.asMap().computeIfPresent(connection.installationId(),
                (id, cached) -> cached.getAccessToken().equals(rejected.tokens().accessToken().reveal()) ? null : cached);
        // A fetch in flight may still bring the rejected token: the next call asks anew.
        tokenFetches.remove(connection.installationId());
        InvalidateRequest request = InvalidateRequest.newBuilder().setTenantId(connection.tenantId())
                .setInstallationId(connection.installationId()).setAccessToken(rejected.tokens().accessToken().reveal()).build();
        return InternalCalls.retryingTransient(Uni.createFrom().deferred(() -> oauthClient(deadline).invalidate(request)), deadline)
                .onFailure().transform(failure -> InternalCalls.unreachable("oauth-service", failure))
                .replaceWithVoid();
    }

    /** A connection event arrived for this installation: whatever is cached for it may be stale. */
    public void forget(String installationId) {
        tokens.invalidate(installationId);
        secrets.invalidate(installationId);
    }

    /**
     * An access token valid for at least {@link #minTokenValidity} from now (or one that never expires): the cached one
     * while it is, else a new one.
     */
    private Uni<AccessToken> accessToken(ResolvedConnection connection, Instant deadline) {
        AccessToken cached = tokens.getIfPresent(connection.installationId());
        if (cached != null && (!cached.hasExpiresAt() || ProtoTime.instant(cached.getExpiresAt()).isAfter(Instant.now().plus(minTokenValidity)))) {
            return Uni.createFrom().item(cached);
        }
        return shared(tokenFetches, connection.installationId(), () -> fetchAccessToken(connection, Instant.now().plus(sharedFetchBound)), deadline);
    }

    private Uni<AccessToken> fetchAccessToken(ResolvedConnection connection, Instant deadline) {
        GetAccessTokenRequest request = GetAccessTokenRequest.newBuilder().setTenantId(connection.tenantId())
                .setInstallationId(connection.installationId())
                .setMinValidity(com.google.protobuf.Duration.newBuilder().setSeconds(minTokenValidity.getSeconds())
                        .setNanos(minTokenValidity.getNano()))
                .build();
        return InternalCalls.retryingTransient(Uni.createFrom().deferred(() -> oauthClient(deadline).getAccessToken(request)), deadline)
                .invoke(token -> tokens.put(connection.installationId(), token))
                .onFailure().transform(failure -> switch (InternalCalls.code(failure)) {
                    case NOT_FOUND -> new CallFailure(ErrorCode.CONNECTION_NOT_ACTIVE, InternalCalls.description(failure,
                            "Connection '" + connection.connectionKey() + "' is not connected yet."));
                    case FAILED_PRECONDITION -> new CallFailure(ErrorCode.GRANT_BROKEN, InternalCalls.description(failure,
                            "The grant of connection '" + connection.connectionKey() + "' is broken; reconnect it."));
                    case OUT_OF_RANGE -> new CallFailure(ErrorCode.PROVIDER_ERROR, InternalCalls.description(failure,
                            "The provider's access tokens are valid for less than " + minTokenValidity.toMillis()
                                    + " ms when issued; lower polymux.dispatch.oauth.min-token-validity."));
                    case UNAVAILABLE -> new CallFailure(ErrorCode.PROVIDER_UNAVAILABLE, InternalCalls.description(failure,
                            "The provider could not issue an access token just now."));
                    default -> InternalCalls.unreachable("oauth-service", failure);
                });
    }

    private Uni<Map<String, Secret>> storedValues(ResolvedConnection connection, String purpose, Instant deadline) {
        Map<String, Secret> cached = secrets.getIfPresent(connection.installationId());
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return shared(secretFetches, connection.installationId(), () -> fetchStoredValues(connection, purpose, Instant.now().plus(sharedFetchBound)),
                deadline);
    }

    private Uni<Map<String, Secret>> fetchStoredValues(ResolvedConnection connection, String purpose, Instant deadline) {
        GetSecretRequest request = GetSecretRequest.newBuilder().setTenantId(connection.tenantId())
                .setInstallationId(connection.installationId()).setPurpose(purpose).build();
        return InternalCalls.retryingTransient(Uni.createFrom().deferred(() -> vaultClient(deadline).getSecret(request)), deadline)
                .map(stored -> {
                    Map<String, Secret> values = new LinkedHashMap<>();
                    stored.getFieldsMap().forEach((field, value) -> values.put(field, Secret.of(value.toString(StandardCharsets.UTF_8))));
                    return Map.copyOf(values);
                })
                .invoke(values -> secrets.put(connection.installationId(), values))
                .onFailure().transform(failure -> switch (InternalCalls.code(failure)) {
                    case NOT_FOUND -> new CallFailure(ErrorCode.CONNECTION_NOT_ACTIVE, "No credentials are stored for connection '"
                            + connection.connectionKey() + "'; the installer has to supply them.");
                    default -> InternalCalls.unreachable("vault-service", failure);
                });
    }

    /**
     * The fetch in flight for {@code installationId}, or a new one, shared until it ends (then forgotten). It may outlast
     * this call, so this call stops waiting at its own {@code deadline}. Only a cache miss comes here: a cached value
     * needs no timer.
     */
    private static <T> Uni<T> shared(ConcurrentMap<String, Uni<T>> inFlight, String installationId, Supplier<Uni<T>> fetch, Instant deadline) {
        return Uni.createFrom().deferred(() -> inFlight.computeIfAbsent(installationId, id -> fetch.get()
                // A block, not an expression: remove() returns the Uni, and eventually(Supplier<Uni>) would wait on itself.
                .eventually(() -> {
                    inFlight.remove(id);
                })
                .memoize().indefinitely()))
                .ifNoItem().after(Duration.ofMillis(Math.max(1, Duration.between(Instant.now(), deadline).toMillis())))
                .failWith(() -> new CallFailure(ErrorCode.DEADLINE_EXCEEDED, "The call's deadline passed while waiting for its credentials."));
    }

    private static Credentials credentials(AccessToken token) {
        // No expires_at: a token that never expires (used until the provider rejects it or a connection event drops it).
        return Credentials.oauth(new TokenSet(Secret.of(token.getAccessToken()), null, token.getTokenType(),
                token.hasExpiresAt() ? ProtoTime.instant(token.getExpiresAt()) : null, token.getScopesList(), Map.of()));
    }

    private MutinyVaultServiceGrpc.MutinyVaultServiceStub vaultClient(Instant deadline) {
        return InternalCalls.until(serviceTokens.authorized(vault), deadline);
    }

    private MutinyOAuthServiceGrpc.MutinyOAuthServiceStub oauthClient(Instant deadline) {
        return InternalCalls.until(serviceTokens.authorized(oauth), deadline);
    }
}
