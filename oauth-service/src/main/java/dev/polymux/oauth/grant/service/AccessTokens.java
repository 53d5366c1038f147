package dev.polymux.oauth.grant.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.grant.OAuthGrant;
import dev.polymux.oauth.grant.repository.GrantRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Access tokens for callers (dispatch-service), valid for at least what they ask. A token that is not is refreshed
 * synchronously, single-flight: within this replica callers share one refresh, and across replicas the grant's lease
 * decides who refreshes while the others wait for the result in vault-service. A burst of callers causes one
 * provider call. A token that is valid is handed out from what this replica holds ({@link HeldAccessTokens}) while
 * the grant row still names it, so a warm call reads the row and nothing from vault-service.
 */
@ApplicationScoped
public class AccessTokens {

    /** Why a token cannot be had; the gRPC layer turns these into statuses. */
    public static final class Unavailable extends RuntimeException {
        public enum Reason {
            NO_GRANT, BROKEN, TOO_SHORT, BUSY
        }

        private final Reason reason;

        public Unavailable(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final GrantRepository grants;
    private final GrantService service;
    private final VaultTokenStore vault;
    private final RefreshScheduler scheduler;
    private final HeldAccessTokens held;
    private final OAuthConfig config;
    private final Map<String, Uni<TokenSet>> refreshing = new ConcurrentHashMap<>();

    public AccessTokens(GrantRepository grants, GrantService service, VaultTokenStore vault, RefreshScheduler scheduler, HeldAccessTokens held,
            OAuthConfig config) {
        this.grants = grants;
        this.held = held;
        this.service = service;
        this.vault = vault;
        this.scheduler = scheduler;
        this.config = config;
    }

    /**
     * Warm, from the token this replica holds, checked against the grant row read for this call (oauth's own
     * database: the replicas' shared truth); otherwise from vault-service, which audits the read.
     */
    public Uni<TokenSet> get(String tenant, String installationId, Duration minValidity) {
        return usableGrant(tenant, installationId).flatMap(grant -> {
            TokenSet warm = held.current(grant, minValidity);
            return warm != null ? Uni.createFrom().item(warm) : fromVault(tenant, installationId, minValidity, grant);
        });
    }

    private Uni<TokenSet> fromVault(String tenant, String installationId, Duration minValidity, GrantRepository.HandOutState grant) {
        return vault.read(tenant, installationId, "access token for a caller")
                .flatMap(stored -> {
                    if (stored.present() && usable(stored.tokens(), grant.invalidatedTokenHash(), minValidity)) {
                        // Held only when vault and the grant row agree on the version: then the row can vouch for it.
                        if (stored.version() == grant.tokenVersion()) {
                            held.hold(tenant, installationId, stored.tokens(), stored.version(), grant.authorizedAt());
                        }
                        return Uni.createFrom().item(stored.tokens());
                    }
                    return singleFlight(tenant, installationId, stored.version()).map(fresh -> {
                        if (!fresh.validFor(minValidity, Instant.now())) {
                            throw new Unavailable(Unavailable.Reason.TOO_SHORT, "The provider issues tokens valid until " + fresh.expiresAt()
                                    + ", less than the " + minValidity.toSeconds() + " s asked for; ask for less.");
                        }
                        return fresh;
                    });
                });
    }

    private Uni<GrantRepository.HandOutState> usableGrant(String tenant, String installationId) {
        return grants.handOutState(installationId).map(grant -> {
            if (grant == null || !grant.tenant().equals(tenant)) {
                throw new Unavailable(Unavailable.Reason.NO_GRANT, "Installation " + installationId
                        + " has no OAuth grant for this tenant; the installer has to connect it first.");
            }
            if (!grant.active()) {
                throw new Unavailable(Unavailable.Reason.BROKEN, grant.statusReason() != null ? grant.statusReason()
                        : "The connection is " + grant.status() + "; reconnect it.");
            }
            return grant;
        });
    }

    private static boolean usable(TokenSet tokens, String invalidatedTokenHash, Duration minValidity) {
        return tokens.validFor(minValidity, Instant.now()) && !rejected(tokens, invalidatedTokenHash);
    }

    /** Whether a caller reported this access token rejected by the provider (Invalidate). */
    private static boolean rejected(TokenSet tokens, String invalidatedTokenHash) {
        return invalidatedTokenHash != null && invalidatedTokenHash.equals(GrantService.hash(tokens.accessToken().reveal()));
    }

    /**
     * One refresh per installation in this replica at a time; later callers join the one running. {@code staleVersion}
     * is the vault version the caller found wanting: anything newer is a refresh someone else already made.
     */
    private Uni<TokenSet> singleFlight(String tenant, String installationId, long staleVersion) {
        Duration patience = config.refresh().waitForOtherRefresh();
        return refreshing.computeIfAbsent(installationId, id -> attempt(tenant, id, Instant.now().plus(patience), staleVersion)
                // However the refresh hangs (vault, database, provider), callers get an answer and the memo is freed.
                .ifNoItem().after(patience).failWith(() -> new Unavailable(Unavailable.Reason.BUSY,
                        "A refresh of this grant is taking too long; try again shortly."))
                // A block, not an expression: remove() returns the Uni, and eventually(Supplier<Uni>) would wait on itself.
                .eventually(() -> {
                    refreshing.remove(id);
                })
                .memoize().indefinitely());
    }

    /** Takes the grant's lease and refreshes; when another replica (or the scheduler) holds it, waits for its result. */
    private Uni<TokenSet> attempt(String tenant, String installationId, Instant deadline, long staleVersion) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> grants.claim(installationId, scheduler.owner(), now, now.plus(config.refresh().lease())))
                .flatMap(claimed -> {
                    if (claimed != null) {
                        // A refresh may have finished between the caller's read and this lease: use it, do not repeat it.
                        return vault.read(tenant, installationId, "access token for a caller").flatMap(stored -> {
                            if (stored.present() && stored.version() > staleVersion && !rejected(stored.tokens(), claimed.invalidatedTokenHash())) {
                                return service.release(installationId, claimed.lease(), null).replaceWith(stored.tokens());
                            }
                            return service.refreshLeased(installationId, claimed.lease());
                        });
                    }
                    // Someone else is refreshing: its result lands in vault-service with a newer version.
                    return Uni.createFrom().nullItem().onItem().delayIt().by(POLL)
                            .chain(() -> vault.read(tenant, installationId, "access token for a caller"))
                            .flatMap(stored -> Panache.withSession(() -> grants.findById(installationId)).flatMap(grant -> {
                                if (grant != null && !OAuthGrant.ACTIVE.equals(grant.status)) {
                                    return Uni.createFrom().failure(new Unavailable(Unavailable.Reason.BROKEN, grant.statusReason));
                                }
                                if (stored.present() && grant != null && usable(stored.tokens(), grant.invalidatedTokenHash, Duration.ZERO)
                                        && stored.version() > staleVersion) {
                                    return Uni.createFrom().item(stored.tokens());
                                }
                                if (Instant.now().isAfter(deadline)) {
                                    return Uni.createFrom().failure(new Unavailable(Unavailable.Reason.BUSY,
                                            "A refresh of this grant is taking too long; try again shortly."));
                                }
                                return attempt(tenant, installationId, deadline, staleVersion);
                            }));
                });
    }
}
