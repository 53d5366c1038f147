package dev.polymux.oauth.grant.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.polymux.common.reactive.SeparateContexts;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.grant.repository.GrantRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Refresh ahead of expiry, in every replica. Each round leases the grants that are due (GrantRepository#claimDue:
 * one replica per grant, however many run) and refreshes them with bounded concurrency, in total and per provider;
 * a grant over its provider's limit is handed back for the next round.
 */
@ApplicationScoped
public class RefreshScheduler {

    private static final Logger LOG = Logger.getLogger(RefreshScheduler.class);

    private final Refresher refresher;

    public RefreshScheduler(GrantRepository grants, GrantService service, OAuthConfig config, SeparateContexts contexts) {
        this.refresher = new Refresher("oauth-" + UUID.randomUUID().toString().substring(0, 8), grants, service, config, contexts);
    }

    @Scheduled(every = "${polymux.oauth.refresh.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, identity = "polymux-oauth-refresh")
    Uni<Void> round() {
        return refresher.round().replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.errorf("A refresh round failed (%s); the next round retries", failure.getClass().getSimpleName());
            return Uni.createFrom().voidItem();
        });
    }

    /** This replica's lease owner name. */
    public String owner() {
        return refresher.owner();
    }

    /**
     * One replica's refresh loop, under its own lease owner name. A plain object so that tests can run several
     * against one database, as several replicas would.
     */
    public static final class Refresher {

        private final String owner;
        private final GrantRepository grants;
        private final GrantService service;
        private final OAuthConfig config;
        private final SeparateContexts contexts;
        private final java.time.Clock clock;
        private final Map<String, AtomicInteger> inFlightByProvider = new ConcurrentHashMap<>();

        public Refresher(String owner, GrantRepository grants, GrantService service, OAuthConfig config, SeparateContexts contexts) {
            this(owner, grants, service, config, contexts, java.time.Clock.systemUTC());
        }

        /** With a clock of its own: tests look hours ahead to see what would be due then. */
        public Refresher(String owner, GrantRepository grants, GrantService service, OAuthConfig config, SeparateContexts contexts,
                java.time.Clock clock) {
            this.clock = clock;
            this.owner = owner;
            this.grants = grants;
            this.service = service;
            this.config = config;
            this.contexts = contexts;
        }

        public String owner() {
            return owner;
        }

        /** Claims what is due and refreshes it; how many grants were refreshed (or found broken). */
        public Uni<Integer> round() {
            Instant now = clock.instant();
            return Panache.withTransaction(() -> grants.claimDue(owner, now, now.plus(config.refresh().lease()), config.refresh().batchSize()))
                    .flatMap(this::refreshAll);
        }

        private Uni<Integer> refreshAll(List<GrantRepository.Claimed> claimed) {
            if (claimed.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            AtomicInteger done = new AtomicInteger();
            return Multi.createFrom().iterable(claimed)
                    // Each refresh on a context of its own: concurrent Hibernate Reactive work must not share a session.
                    .onItem().transformToUni(grant -> contexts.run(() -> refreshWithinProviderLimit(grant)).invoke(refreshed -> {
                        if (refreshed) {
                            done.incrementAndGet();
                        }
                    }))
                    .merge(config.refresh().concurrency())
                    .collect().last().map(ignored -> done.get());
        }

        private Uni<Boolean> refreshWithinProviderLimit(GrantRepository.Claimed grant) {
            AtomicInteger inFlight = inFlightByProvider.computeIfAbsent(grant.connectorId(), id -> new AtomicInteger());
            if (inFlight.incrementAndGet() > config.refresh().concurrencyPerProvider()) {
                inFlight.decrementAndGet();
                // Over this provider's limit: hand the grant back at once; the next round takes it.
                return service.release(grant.installationId(), grant.lease(), null).replaceWith(false);
            }
            return service.refreshLeased(grant.installationId(), grant.lease())
                    .replaceWith(true)
                    .onFailure().recoverWithItem(failure -> {
                        LOG.debugf("Refresh of %s ended with %s", grant.installationId(), failure.getClass().getSimpleName());
                        return true;
                    })
                    .eventually(inFlight::decrementAndGet);
        }
    }
}
