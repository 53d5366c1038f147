package dev.polymux.common.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.AbstractStub;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.smallrye.mutiny.Uni;

/**
 * This service's own token for calling another service's internal gRPC API (docs/access.md, "Service to service"):
 * a JWT with the {@code service} role whose subject is this service's name, sent with every call as its call
 * credentials. Where the platform's issuer is configured ({@code polymux.service-identity.token-url}), the token is
 * obtained with the client-credentials grant (quarkus-oidc-client) and renewed in the process ahead of its expiry;
 * otherwise it is the fixed {@code POLYMUX_SERVICE_TOKEN}. The value is a credential: it is never logged.
 */
@ApplicationScoped
public class ServiceTokens {

    private static final Logger LOG = Logger.getLogger(ServiceTokens.class);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** Renewed this long before it ends, but never earlier than half its life (an issuer's short tokens). */
    private static final Duration RENEW_AHEAD = Duration.ofSeconds(60);
    private static final Duration ISSUER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Optional<String> fixed;
    private final Optional<String> tokenUrl;
    private final Optional<String> clientId;
    private final Optional<String> clientSecret;
    private final OidcClients clients;
    private final CallCredentials credentials = new Credentials();
    private volatile Held held;
    private volatile Uni<OidcClient> client;
    private final AtomicReference<Uni<Held>> renewing = new AtomicReference<>();
    private volatile Backoff backoff;

    /** A token and when to renew it. */
    private record Held(String token, Instant renewAt, Instant expiresAt) {
        @Override
        public String toString() { // never the token
            return "Held[renewAt=" + renewAt + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** After the issuer failed: no new attempt before {@code at}; the delay doubles up to {@link #MAX_BACKOFF}. */
    private record Backoff(Instant at, Duration delay) {
    }

    @Inject
    public ServiceTokens(@ConfigProperty(name = "polymux.service-token") Optional<String> fixed,
            @ConfigProperty(name = "polymux.service-identity.token-url") Optional<String> tokenUrl,
            @ConfigProperty(name = "polymux.service-identity.client-id") Optional<String> clientId,
            @ConfigProperty(name = "polymux.service-identity.client-secret") Optional<String> clientSecret, OidcClients clients) {
        this.fixed = fixed;
        this.tokenUrl = tokenUrl.filter(url -> !url.isBlank());
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.clients = clients;
    }

    /** A token URL without a client id is a mistake found at start, not on the first call. */
    void onStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        if (tokenUrl.isPresent() && clientId.filter(id -> !id.isBlank()).isEmpty()) {
            throw new IllegalStateException("POLYMUX_SERVICE_IDENTITY_TOKEN_URL needs POLYMUX_SERVICE_IDENTITY_CLIENT_ID (docs/access.md)");
        }
    }

    /** {@code stub} sending this service's token, with a deadline: every internal call has both. */
    public <S extends AbstractStub<S>> S authorized(S stub, Duration deadline) {
        return authorized(stub).withDeadlineAfter(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** {@code stub} sending this service's token with every call (the caller sets the deadline). */
    public <S extends AbstractStub<S>> S authorized(S stub) {
        return stub.withCallCredentials(credentials);
    }

    /** The token to send now: the fixed one, or the issuer's, renewed first if it is due (waiting only when it has ended). */
    Uni<String> token() {
        if (tokenUrl.isEmpty()) {
            return fixed.map(token -> Uni.createFrom().item(token)).orElseGet(() -> Uni.createFrom().failure(Status.UNAUTHENTICATED.withDescription(
                    "No service token: set POLYMUX_SERVICE_IDENTITY_TOKEN_URL or POLYMUX_SERVICE_TOKEN (docs/access.md, \"Service to service\")")
                    .asRuntimeException()));
        }
        Held current = held;
        Instant now = Instant.now();
        if (current != null && now.isBefore(current.renewAt())) {
            return Uni.createFrom().item(current.token());
        }
        Uni<Held> renewal = renewal();
        if (current != null && now.isBefore(current.expiresAt())) {
            renewal.subscribe().with(renewed -> { }, failure -> { }); // ahead of expiry: this call still has a good token
            return Uni.createFrom().item(current.token());
        }
        return renewal.map(Held::token);
    }

    /**
     * One renewal at a time, shared by whoever asks while it runs. After a failure the issuer is not asked again
     * before a growing wait (1 s doubling to 30 s): an issuer that is down or refuses the client is not flooded.
     */
    private Uni<Held> renewal() {
        Uni<Held> running = renewing.get();
        if (running != null) {
            return running;
        }
        Backoff waiting = backoff;
        if (waiting != null && Instant.now().isBefore(waiting.at())) {
            return Uni.createFrom().failure(Status.UNAVAILABLE.withDescription("This service could not get its own token from the issuer; "
                    + "it asks again at " + waiting.at()).asRuntimeException());
        }
        AtomicReference<Uni<Held>> self = new AtomicReference<>();
        Uni<Held> fresh = client().chain(OidcClient::getTokens).ifNoItem().after(ISSUER_TIMEOUT).fail().map(this::hold)
                .onItem().invoke(renewed -> backoff = null)
                .onFailure().invoke(this::failed)
                .onTermination().invoke(() -> renewing.compareAndSet(self.get(), null))
                .memoize().indefinitely();
        self.set(fresh);
        if (renewing.compareAndSet(null, fresh)) {
            return fresh;
        }
        Uni<Held> other = renewing.get(); // another caller's, started meanwhile
        return other != null ? other : fresh;
    }

    private void failed(Throwable failure) {
        Backoff previous = backoff;
        Duration wait = previous == null ? Duration.ofSeconds(1) : previous.delay().multipliedBy(2);
        wait = wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
        backoff = new Backoff(Instant.now().plus(wait), wait);
        // The status the token endpoint answered, never its body (it may quote what it was sent).
        java.util.regex.Matcher status = java.util.regex.Pattern.compile("status: (\\d{3})").matcher(String.valueOf(failure.getMessage()));
        LOG.warnf("No service token from the issuer (%s%s); asking again in %d s", failure.getClass().getSimpleName(),
                status.find() ? ", HTTP " + status.group(1) : "", wait.toSeconds());
    }

    private Held hold(Tokens tokens) {
        Instant now = Instant.now();
        Long expiresAt = tokens.getAccessTokenExpiresAt();
        Instant ends = expiresAt == null ? now.plus(Duration.ofMinutes(5)) : Instant.ofEpochSecond(expiresAt);
        Held renewed = new Held(tokens.getAccessToken(), renewAt(now, ends), ends);
        held = renewed;
        return renewed;
    }

    /** {@link #RENEW_AHEAD} before it ends, but not before half its remaining life. */
    static Instant renewAt(Instant now, Instant expiresAt) {
        Duration remaining = Duration.between(now, expiresAt);
        if (remaining.isNegative()) {
            return now;
        }
        Duration half = remaining.dividedBy(2);
        return expiresAt.minus(half.compareTo(RENEW_AHEAD) < 0 ? half : RENEW_AHEAD);
    }

    /** quarkus-oidc-client for the client-credentials grant at the token URL; made on first use, again after a failure. */
    private Uni<OidcClient> client() {
        Uni<OidcClient> made = client;
        if (made == null) {
            var builder = OidcClientConfig.tokenPath(tokenUrl.orElseThrow()).discoveryEnabled(false).id("service-identity")
                    .clientId(clientId.orElseThrow(() -> new IllegalStateException(
                            "POLYMUX_SERVICE_IDENTITY_TOKEN_URL needs POLYMUX_SERVICE_IDENTITY_CLIENT_ID (docs/access.md)")));
            clientSecret.filter(secret -> !secret.isBlank()).ifPresent(builder::credentials);
            made = clients.newClient(builder.build()).onFailure().invoke(failure -> client = null).memoize().indefinitely();
            client = made;
        }
        return made;
    }

    /** The token as each call's credentials: a call waits for a token only when there is none that is still good. */
    private final class Credentials extends CallCredentials {
        @Override
        public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
            token().subscribe().with(token -> {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + token);
                applier.apply(headers);
            }, failure -> applier.fail(failure instanceof io.grpc.StatusRuntimeException status ? status.getStatus()
                    : Status.UNAVAILABLE.withDescription("This service could not get its own token from the issuer")));
        }
    }
}
