package dev.polymux.oauth.grant.service;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.common.reactive.SeparateContexts;
import dev.polymux.connector.engine.OAuthSettings;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.grant.OAuthGrant;
import dev.polymux.oauth.grant.repository.GrantRepository;
import dev.polymux.oauth.installation.KnownInstallation;
import dev.polymux.oauth.installation.repository.KnownInstallationRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The life of a grant after the callback: recording it, refreshing it under a lease, and breaking it when the
 * provider says it is gone. Every refresh stores the new token set in vault-service (compare-and-set) before the
 * new access token is handed to anyone, so a rotated refresh token is never lost.
 * <p>
 * A refresh runs under a fenced lease ({@link GrantRepository.Lease}): the lease is renewed while the provider call is
 * in flight, checked right before the refresh token is sent, and every write names its generation. A refresher that
 * lost its lease changes nothing and never reports the grant broken: another replica has refreshed it meanwhile,
 * and the provider's refusal of the old refresh token says nothing about the grant.
 */
@ApplicationScoped
public class GrantService {

    private static final Logger LOG = Logger.getLogger(GrantService.class);

    private final GrantRepository grants;
    private final KnownInstallationRepository installations;
    private final ConnectorHandlers handlers;
    private final VaultTokenStore vault;
    private final OutboxService outbox;
    private final OAuthConfig config;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final SeparateContexts contexts;
    private final HeldAccessTokens held;

    public GrantService(GrantRepository grants, KnownInstallationRepository installations, ConnectorHandlers handlers, VaultTokenStore vault,
            OutboxService outbox, OAuthConfig config, ObjectMapper mapper, MeterRegistry metrics, SeparateContexts contexts,
            HeldAccessTokens held) {
        this.held = held;
        this.grants = grants;
        this.installations = installations;
        this.handlers = handlers;
        this.vault = vault;
        this.outbox = outbox;
        this.config = config;
        this.mapper = mapper;
        this.metrics = metrics;
        this.contexts = contexts;
    }

    /**
     * After a code exchange: stores the tokens in vault-service (replacing whatever an earlier grant left), then
     * records the grant as active and announces "authorized" in one transaction. A broken grant becomes active again
     * with the same installation id (reconnect).
     */
    public Uni<OAuthGrant> recordAuthorized(KnownInstallation installation, OAuthSettings settings, TokenSet tokens, String connectedBy) {
        return vault.read(installation.tenant, installation.id, "store a new grant")
                .flatMap(current -> vault.write(installation.tenant, installation.id, tokens, current.version()))
                // A refresh of the old grant may have written meanwhile; the new grant wins, once.
                .onFailure(VaultTokenStore.LostRace.class).recoverWithUni(() -> vault.read(installation.tenant, installation.id, "store a new grant")
                        .flatMap(current -> vault.write(installation.tenant, installation.id, tokens, current.version())))
                .flatMap(version -> Panache.withTransaction(() -> grants.findById(installation.id).flatMap(existing -> {
                    Instant now = now();
                    OAuthGrant grant = existing != null ? existing : new OAuthGrant();
                    grant.installationId = installation.id;
                    grant.tenant = installation.tenant;
                    grant.connectorId = installation.connectorId;
                    grant.status = OAuthGrant.ACTIVE;
                    grant.statusReason = null;
                    grant.expiresAt = tokens.expiresAt();
                    grant.refreshAt = refreshAt(tokens.expiresAt(), settings, now);
                    grant.failures = 0;
                    grant.leaseOwner = null;
                    grant.leaseUntil = null;
                    grant.tokenVersion = version;
                    grant.invalidatedTokenHash = null;
                    grant.connectedBy = connectedBy;
                    grant.authorizedAt = now;
                    grant.updatedAt = now;
                    // Handed out only once this row commits (the held entry names its version and authorization).
                    held.hold(grant.tenant, grant.installationId, tokens, version, grant.authorizedAt);
                    Uni<OAuthGrant> saved = existing != null ? Uni.createFrom().item(grant) : grants.persist(grant);
                    return saved.call(g -> announce(ConnectionEventTypes.GRANT_AUTHORIZED, g, null, tokens));
                })));
    }

    /**
     * Refreshes a grant under {@code lease}. Returns the token set now stored (the new one, or the one another writer
     * stored first); fails with the GrantException when the provider refused, and with {@link LeaseLost} when the
     * lease was lost before the provider was asked.
     */
    public Uni<TokenSet> refreshLeased(String installationId, GrantRepository.Lease lease) {
        return Panache.withSession(() -> installations.findById(installationId)).flatMap(installation -> {
            if (installation == null) {
                return release(installationId, lease, null).replaceWith(Uni.createFrom().<TokenSet>failure(
                        new IllegalStateException("Installation " + installationId + " is unknown to oauth-service")));
            }
            String connectorId = installation.connectorId;
            return handlers.of(installation).flatMap(grantHandler -> vault.read(installation.tenant, installationId, "refresh the grant")
                    .flatMap(previous -> {
                        if (!previous.present() && !grantHandler.settings().clientCredentialsGrant()) {
                            return Uni.createFrom().failure(GrantException.broken(grantHandler.settings().brokenGrantMessage(), "no_token_set"));
                        }
                        // The last moment before the refresh token is spent: a lease lost by now must not spend it.
                        return renew(installationId, lease).flatMap(held -> {
                            if (!held) {
                                return Uni.createFrom().<TokenSet>failure(new LeaseLost(installationId));
                            }
                            return whileRenewing(installationId, lease, grantHandler.handler().refresh(previous.tokens()))
                                    .map(fresh -> grantHandler.settings().keepRefreshTokenWhenMissing() ? fresh.keepingRefreshTokenOf(previous.tokens()) : fresh)
                                    .flatMap(fresh -> vault.write(installation.tenant, installationId, fresh, previous.version())
                                            .flatMap(version -> refreshed(installationId, lease, fresh, version, grantHandler.settings()))
                                            .replaceWith(fresh)
                                            // Someone else (a reconnect) stored newer tokens: those stand.
                                            .onFailure(VaultTokenStore.LostRace.class).recoverWithUni(() -> vault
                                                    .read(installation.tenant, installationId, "refresh the grant")
                                                    .call(now -> refreshed(installationId, lease, now.tokens(), now.version(), grantHandler.settings()))
                                                    .map(VaultTokenStore.Stored::tokens)));
                        });
                    })
                    .onFailure(GrantException.class).call(failure -> failed(installation, lease, (GrantException) failure,
                            grantHandler.settings())))
                    .invoke(() -> countRefresh(connectorId, "refreshed"))
                    .onFailure().invoke(failure -> countRefresh(connectorId, failure instanceof GrantException grant ? grant.kind().name().toLowerCase()
                            : failure instanceof LeaseLost ? "lease_lost" : "error"));
        });
    }

    /** The lease was claimed by another refresher before this one asked the provider; nothing was sent or changed. */
    public static final class LeaseLost extends RuntimeException {
        public LeaseLost(String installationId) {
            super("The refresh lease of " + installationId + " was lost; another refresher has the grant", null, false, false);
        }
    }

    private void countRefresh(String connectorId, String outcome) {
        metrics.counter("polymux.oauth.refreshes", "connector", connectorId, "outcome", outcome).increment();
    }

    /** Extends the lease by its full length, if it is still this refresher's. */
    private Uni<Boolean> renew(String installationId, GrantRepository.Lease lease) {
        return Panache.withTransaction(() -> grants.renew(installationId, lease, now().plus(config.refresh().lease())));
    }

    /**
     * Runs the provider call while renewing the lease every third of its length, so a slow provider never lets it
     * lapse while its answer (with a rotated refresh token) is still on the way. The renewals stop with the call.
     */
    private <T> Uni<T> whileRenewing(String installationId, GrantRepository.Lease lease, Uni<T> call) {
        Duration every = config.refresh().lease().dividedBy(3);
        return Uni.createFrom().deferred(() -> {
            var renewals = Multi.createFrom().ticks().every(every)
                    .onItem().transformToUniAndConcatenate(tick -> contexts.run(() -> renew(installationId, lease))
                            .onFailure().recoverWithItem(false))
                    .subscribe().with(held -> {
                        if (!held) {
                            LOG.warnf("The refresh lease of %s lapsed while its provider call was in flight", installationId);
                        }
                    }, failure -> {
                    });
            return call.eventually(renewals::cancel);
        });
    }

    /**
     * Ends the grant of a removed installation for good (inside the caller's transaction) and announces
     * {@code grant.revoked.v1} with the reason, once: a grant already revoked, or none, changes nothing.
     */
    public Uni<Void> revokeRemoved(String installationId, String reason) {
        return grants.findById(installationId).flatMap(grant -> {
            if (grant == null || OAuthGrant.REVOKED.equals(grant.status)) {
                return Uni.createFrom().voidItem();
            }
            grant.status = OAuthGrant.REVOKED;
            grant.statusReason = reason;
            held.drop(grant.tenant, grant.installationId); // memory only: every replica already refuses by the row
            grant.leaseOwner = null;
            grant.leaseUntil = null;
            grant.refreshAt = null;
            grant.updatedAt = now();
            return announce(ConnectionEventTypes.GRANT_REVOKED, grant, GrantException.broken(reason, null), null);
        });
    }

    /** Records an access token a provider rejected; the next GetAccessToken refreshes unless a newer one exists. */
    public Uni<Boolean> invalidate(String tenant, String installationId, String rejectedAccessToken) {
        return vault.read(tenant, installationId, "check a rejected token").flatMap(current -> Panache.withTransaction(
                () -> grants.findById(installationId).map(grant -> {
                    if (grant == null || !grant.tenant.equals(tenant) || !current.present()
                            || !current.tokens().accessToken().reveal().equals(rejectedAccessToken)) {
                        return false;
                    }
                    grant.invalidatedTokenHash = hash(rejectedAccessToken);
                    grant.refreshAt = now();
                    grant.updatedAt = now();
                    // Every replica's next call sees the rejected hash in the row and misses; this one also forgets it.
                    held.drop(tenant, installationId);
                    return true;
                })));
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Uni<Void> refreshed(String installationId, GrantRepository.Lease lease, TokenSet tokens, long version, OAuthSettings settings) {
        return Panache.withTransaction(() -> grants.findById(installationId).flatMap(grant -> {
            if (grant == null || !holds(grant, lease)) {
                // The tokens are safe in vault-service (compare-and-set); the grant row belongs to the lease's new holder.
                return Uni.createFrom().voidItem();
            }
            Instant now = now();
            grant.expiresAt = tokens.expiresAt();
            grant.refreshAt = refreshAt(tokens.expiresAt(), settings, now);
            grant.failures = 0;
            grant.tokenVersion = version;
            if (grant.invalidatedTokenHash != null && !grant.invalidatedTokenHash.equals(hash(tokens.accessToken().reveal()))) {
                grant.invalidatedTokenHash = null;
            }
            clearLease(grant, lease);
            grant.updatedAt = now;
            // Warm at once in this replica; others read it from vault-service once, when the row tells them it changed.
            held.hold(grant.tenant, installationId, tokens, version, grant.authorizedAt);
            return Uni.createFrom().voidItem();
        }));
    }

    private Uni<Void> failed(KnownInstallation installation, GrantRepository.Lease lease, GrantException failure, OAuthSettings settings) {
        return Panache.withTransaction(() -> grants.findById(installation.id).flatMap(grant -> {
            if (grant == null || !holds(grant, lease)) {
                // Lost the lease meanwhile: another refresher spent the refresh token first, so the provider's refusal
                // of ours is expected and says nothing about the grant.
                LOG.infof("A refresh of %s ended (%s) after its lease was lost; the grant is left to the lease's holder", installation.id,
                        failure.kind());
                return Uni.createFrom().voidItem();
            }
            Instant now = now();
            clearLease(grant, lease);
            grant.updatedAt = now;
            if (failure.kind() == GrantException.Kind.TRANSIENT) {
                grant.failures++;
                Duration wait = failure.retryAfter().orElse(config.refresh().backoff().multipliedBy(1L << Math.min(grant.failures - 1, 6)));
                Instant next = now.plus(wait);
                // Back off, but land before expiry while there is time; after expiry, keep trying at the backoff pace.
                Instant lastChance = grant.expiresAt == null ? next : grant.expiresAt.minusSeconds(1);
                grant.refreshAt = next.isAfter(lastChance) && lastChance.isAfter(now) ? lastChance : next;
                LOG.warnf("Refreshing grant %s failed for now (%d in a row); next try at %s", installation.id, grant.failures, grant.refreshAt);
                return Uni.createFrom().voidItem();
            }
            grant.status = OAuthGrant.BROKEN;
            grant.statusReason = failure.getMessage();
            held.drop(grant.tenant, grant.installationId);
            LOG.infof("Grant %s of %s is broken (%s)", installation.id, installation.connectorId, failure.providerError());
            return announce(ConnectionEventTypes.GRANT_BROKEN, grant, failure, null);
        }));
    }

    /** Frees a lease this refresher holds, without any other change. */
    public Uni<Void> release(String installationId, GrantRepository.Lease lease, Instant refreshAt) {
        return Panache.withTransaction(() -> grants.findById(installationId).invoke(grant -> {
            if (grant != null && holds(grant, lease)) {
                clearLease(grant, lease);
                if (refreshAt != null) {
                    grant.refreshAt = refreshAt;
                }
            }
        })).replaceWithVoid();
    }

    /** Whether the grant's lease is still the one given (owner and generation): the fencing check of every write. */
    private static boolean holds(OAuthGrant grant, GrantRepository.Lease lease) {
        return lease.owner().equals(grant.leaseOwner) && lease.generation() == grant.leaseGeneration;
    }

    private static void clearLease(OAuthGrant grant, GrantRepository.Lease lease) {
        if (holds(grant, lease)) {
            grant.leaseOwner = null;
            grant.leaseUntil = null;
        }
    }

    /**
     * When to refresh: the connector's window before expiry (at most half the token's lifetime, for short-lived
     * tokens), and up to {@code jitter} of that window earlier at random, so tokens minted together spread out.
     */
    Instant refreshAt(Instant expiresAt, OAuthSettings settings, Instant now) {
        if (expiresAt == null) {
            return null; // never expires: nothing to refresh ahead of
        }
        Duration lifetime = Duration.between(now, expiresAt);
        if (lifetime.isNegative() || lifetime.isZero()) {
            return now;
        }
        Duration window = settings.refreshWindow().compareTo(lifetime.dividedBy(2)) < 0 ? settings.refreshWindow() : lifetime.dividedBy(2);
        long jitterMillis = (long) (window.toMillis() * config.refresh().jitter() * ThreadLocalRandom.current().nextDouble());
        return expiresAt.minus(window).minusMillis(jitterMillis);
    }

    private Uni<Void> announce(String type, OAuthGrant grant, GrantException failure, TokenSet tokens) {
        ObjectNode data = mapper.createObjectNode().put("tenantId", grant.tenant).put("installationId", grant.installationId)
                .put("connectorId", grant.connectorId);
        if (tokens != null) {
            tokens.scopes().forEach(data.putArray("scopes")::add);
        }
        if (failure != null) {
            data.put("reason", failure.getMessage());
            if (failure.providerError() != null) {
                data.put("providerError", failure.providerError());
            }
        }
        return outbox.enqueue(EventTopics.CONNECTION_EVENTS, grant.installationId,
                CloudEvent.create(config.eventSource(), type, grant.installationId, data)).replaceWithVoid();
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
