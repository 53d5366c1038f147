package dev.polymux.vault.installation.service;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.polymux.vault.audit.service.AuditTrail.Actor;
import dev.polymux.vault.config.VaultConfig;
import dev.polymux.vault.installation.repository.KnownInstallationRepository;
import dev.polymux.vault.secret.service.CredentialService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Deletes the values of integrations uninstalled longer ago than {@code polymux.vault.uninstalled-retention}. They are
 * kept for oauth-service to undo the integration's setup at the provider, and go on its "setup removed"; when that
 * never comes (oauth-service failed for good, or an event was lost), they must not stay forever. Runs in every
 * replica; each batch locks its installations with SKIP LOCKED, so replicas never delete the same values twice.
 */
@ApplicationScoped
public class UninstalledValuesSweeper {

    private static final Logger LOG = Logger.getLogger(UninstalledValuesSweeper.class);
    static final int BATCH_SIZE = 100;

    private final KnownInstallationRepository installations;
    private final CredentialService credentials;
    private final VaultConfig config;

    public UninstalledValuesSweeper(KnownInstallationRepository installations, CredentialService credentials, VaultConfig config) {
        this.installations = installations;
        this.credentials = credentials;
        this.config = config;
    }

    @Scheduled(every = "${polymux.vault.uninstalled-sweep-every}", delay = 5, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            identity = "polymux-vault-uninstalled-sweep")
    Uni<Void> sweepRound() {
        return sweep(Instant.now().minus(config.uninstalledRetention())).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.errorf("Sweeping uninstalled integrations' values failed (%s); the next round retries", failure.getClass().getSimpleName());
            return Uni.createFrom().voidItem();
        });
    }

    /** Deletes the values of every integration uninstalled before {@code removedBefore}; how many installations had some. */
    public Uni<Long> sweep(Instant removedBefore) {
        return Multi.createBy().repeating()
                .uni(() -> Panache.withTransaction(() -> batch(removedBefore)))
                .whilst(done -> done == BATCH_SIZE)
                .collect().with(Collectors.summingLong(Integer::longValue));
    }

    private Uni<Integer> batch(Instant removedBefore) {
        return installations.lockUninstalledIntegrationsWithValues(removedBefore, BATCH_SIZE).flatMap(found -> Multi.createFrom().iterable(found)
                .onItem().transformToUniAndConcatenate(installation -> credentials.deleteAll(installation.tenant, installation.id,
                        Actor.system("retention of uninstalled integration ended"))
                        .invoke(deleted -> LOG.warnf("Installation %s: uninstalled since %s and its setup was never undone; %d credential(s) "
                                + "deleted after the retention period", installation.id, installation.removedAt, deleted)))
                .collect().asList().map(List::size));
    }
}
