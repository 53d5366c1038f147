package dev.polymux.vault.rotation.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.vault.config.VaultConfig;
import dev.polymux.vault.crypto.CryptoWork;
import dev.polymux.vault.crypto.EnvelopeCipher;
import dev.polymux.vault.crypto.KeyChangeRefusedException;
import dev.polymux.vault.crypto.KeyEncryptionKeys;
import dev.polymux.vault.crypto.SecretContext;
import dev.polymux.vault.oauthclient.RegisteredClient;
import dev.polymux.vault.oauthclient.SealedClientField;
import dev.polymux.vault.oauthclient.repository.RegisteredClientRepository;
import dev.polymux.vault.oauthclient.repository.SealedClientFieldRepository;
import dev.polymux.vault.oauthclient.service.OAuthClientService;
import dev.polymux.vault.secret.Credential;
import dev.polymux.vault.secret.SealedField;
import dev.polymux.vault.secret.repository.CredentialRepository;
import dev.polymux.vault.secret.repository.SealedFieldRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Rotation, rewrapping and retirement of key-encryption keys. Reads never stop: old keys keep unwrapping until
 * retired, and a key is retired only when the database says no data key uses it any more. Data keys are those of
 * installations' fields (sealed_field) and of OAuth clients' fields (oauth_client_field); every count covers both.
 * Metrics: polymux.vault.rewrap.pending (data keys not yet under the primary), polymux.vault.rewrapped (total),
 * polymux.vault.kek.primary (the primary key's id).
 */
@ApplicationScoped
public class KeyRotationService {

    private static final Logger LOG = Logger.getLogger(KeyRotationService.class);

    private final KeyEncryptionKeys keks;
    private final EnvelopeCipher cipher;
    private final CryptoWork crypto;
    private final SealedFieldRepository fields;
    private final CredentialRepository credentials;
    private final SealedClientFieldRepository clientFields;
    private final RegisteredClientRepository clients;
    private final VaultConfig config;
    private final Counter rewrapped;
    private final Counter unreadable;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong primary = new AtomicLong();

    public KeyRotationService(KeyEncryptionKeys keks, EnvelopeCipher cipher, CryptoWork crypto, SealedFieldRepository fields,
            CredentialRepository credentials, SealedClientFieldRepository clientFields, RegisteredClientRepository clients, VaultConfig config,
            MeterRegistry registry) {
        this.keks = keks;
        this.cipher = cipher;
        this.crypto = crypto;
        this.fields = fields;
        this.credentials = credentials;
        this.clientFields = clientFields;
        this.clients = clients;
        this.config = config;
        this.rewrapped = Counter.builder("polymux.vault.rewrapped").description("Data keys rewrapped to the primary KEK").register(registry);
        this.unreadable = Counter.builder("polymux.vault.rewrap.unreadable").description("Fields no KEK key could unwrap, set aside")
                .register(registry);
        registry.gauge("polymux.vault.rewrap.pending", pending);
        registry.gauge("polymux.vault.kek.primary", primary);
    }

    /** Makes a new KEK key primary and starts rewrapping at once. */
    public Uni<KeyStatus> rotate() {
        return crypto.run(keks::rotate)
                .onFailure(CryptoWork.CryptoFailure.class).transform(KeyRotationService::refusal)
                .invoke(id -> LOG.infof("Key-encryption key %d is primary now; rewrapping data keys", id))
                // Reads keep working whether or not the rewrap finishes now; the job retries what is left.
                .flatMap(id -> rewrapAll().onFailure().recoverWithUni(this::status));
    }

    /** Removes a KEK key, refusing the primary and any key that still wraps a data key. */
    public Uni<KeyStatus> retire(int keyId) {
        return crypto.run(keks::keyIds).flatMap(ids -> {
            if (!ids.contains(keyId)) {
                throw ProblemException.notFound("There is no key-encryption key " + keyId + ".");
            }
            return Panache.withSession(() -> fields.countWrappedBy(keyId).flatMap(installationFields -> clientFields.countWrappedBy(keyId)
                    .map(oauthClientFields -> installationFields + oauthClientFields)));
        }).flatMap(inUse -> {
            if (inUse > 0) {
                throw ProblemException.conflict("Key-encryption key " + keyId + " still wraps " + inUse + " data key(s); it can be "
                        + "retired once the rewrap job has moved them to the primary (polymux.vault.rewrap.pending reaches 0), and once "
                        + "fields no key can open (unreadable in /admin/keys) are stored anew by their installers, or OAuth clients by "
                        + "whoever registered them.");
            }
            return crypto.run(() -> {
                keks.retire(keyId);
                return keyId;
            }).onFailure(CryptoWork.CryptoFailure.class).transform(KeyRotationService::refusal);
        }).invoke(id -> LOG.infof("Key-encryption key %d retired", id)).flatMap(id -> status());
    }

    @WithSession
    public Uni<KeyStatus> status() {
        return crypto.run(() -> Map.entry(keks.primaryKeyId(), keks.keyIds())).flatMap(keys -> unreadableFields()
                .flatMap(unreadableFields -> dataKeysByKekKey().map(counts -> {
            List<KeyStatus.Key> listed = new ArrayList<>();
            long notPrimary = 0;
            for (int id : keys.getValue()) {
                long dataKeys = counts.getOrDefault((long) id, 0L);
                listed.add(new KeyStatus.Key(id, id == keys.getKey(), dataKeys));
            }
            for (Map.Entry<Long, Long> count : counts.entrySet()) {
                if (count.getKey() != keys.getKey().longValue()) {
                    notPrimary += count.getValue();
                }
            }
            pending.set(notPrimary - unreadableFields);
            primary.set(keys.getKey());
            return new KeyStatus(keks.backend(), keys.getKey(), listed, notPrimary - unreadableFields, unreadableFields);
        })));
    }

    /** How many data keys each KEK key wraps, installations' and OAuth clients' together. */
    private Uni<Map<Long, Long>> dataKeysByKekKey() {
        return fields.countByKekKey().flatMap(counts -> clientFields.countByKekKey().map(clientCounts -> {
            Map<Long, Long> all = new LinkedHashMap<>(counts);
            clientCounts.forEach((key, count) -> all.merge(key, count, Long::sum));
            return all;
        }));
    }

    private Uni<Long> unreadableFields() {
        return fields.countUnreadable().flatMap(installationFields -> clientFields.countUnreadable()
                .map(oauthClientFields -> installationFields + oauthClientFields));
    }

    @Scheduled(every = "${polymux.vault.rewrap.every}", delay = 5, delayUnit = java.util.concurrent.TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            identity = "polymux-vault-rewrap")
    Uni<Void> rewrapRound() {
        return rewrapAll().replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.errorf("Rewrapping failed (%s); the next round retries", failure.getClass().getSimpleName());
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * Rewraps batches until every data key is under the primary, installations' fields first, then OAuth clients'; the
     * key status after it (which also sets the gauges).
     */
    public Uni<KeyStatus> rewrapAll() {
        return crypto.run(keks::primaryKeyId).flatMap(primaryKey -> rewrapInBatches(() -> rewrapBatch(primaryKey))
                .flatMap(installationFields -> rewrapInBatches(() -> rewrapClientBatch(primaryKey))
                        .map(oauthClientFields -> installationFields + oauthClientFields))
                .invoke(total -> {
                    if (total > 0) {
                        LOG.infof("Rewrapped %d data key(s) to key-encryption key %d", total, primaryKey);
                    }
                }))
                .flatMap(total -> status());
    }

    /** Runs {@code batch} in a transaction of its own until it does less than a full batch; how many rows it rewrapped in all. */
    private Uni<Long> rewrapInBatches(java.util.function.Supplier<Uni<Integer>> batch) {
        return Multi.createBy().repeating()
                .uni(() -> Panache.withTransaction(batch))
                .whilst(done -> done == config.rewrap().batchSize())
                .collect().with(java.util.stream.Collectors.summingLong(Integer::longValue));
    }

    private Uni<Integer> rewrapBatch(int primaryKey) {
        return fields.lockWrappedByOtherThan(primaryKey, config.rewrap().batchSize()).flatMap(batch -> Multi.createFrom().iterable(batch)
                .onItem().transformToUniAndConcatenate(field -> credentials.findById(field.credentialId).flatMap(credential ->
                        rewrap(field, credential)))
                .collect().asList().map(List::size));
    }

    private Uni<SealedField> rewrap(SealedField field, Credential credential) {
        SecretContext context = new SecretContext(credential.tenant, credential.installationId, field.field);
        return crypto.run(() -> cipher.rewrap(field.sealed(), context)).map(sealed -> {
            field.seal(sealed);
            rewrapped.increment();
            return field;
        }).onFailure(CryptoWork.CryptoFailure.class).recoverWithItem(failure -> {
            // Nothing opens it: set it aside (counted in /admin/keys) so it cannot hold up every other field.
            field.unreadableSince = java.time.Instant.now();
            unreadable.increment();
            LOG.errorf("Field %s of installation %s cannot be unwrapped by any key-encryption key; set aside", field.field,
                    credential.installationId);
            return field;
        });
    }

    private Uni<Integer> rewrapClientBatch(int primaryKey) {
        return clientFields.lockWrappedByOtherThan(primaryKey, config.rewrap().batchSize()).flatMap(batch -> Multi.createFrom().iterable(batch)
                .onItem().transformToUniAndConcatenate(field -> clients.findById(field.registeredClientId).flatMap(client ->
                        rewrap(field, client)))
                .collect().asList().map(List::size));
    }

    private Uni<SealedClientField> rewrap(SealedClientField field, RegisteredClient client) {
        return crypto.run(() -> cipher.rewrap(field.sealed(), OAuthClientService.context(client.key(), field.field))).map(sealed -> {
            field.seal(sealed);
            rewrapped.increment();
            return field;
        }).onFailure(CryptoWork.CryptoFailure.class).recoverWithItem(failure -> {
            field.unreadableSince = java.time.Instant.now();
            unreadable.increment();
            LOG.errorf("Field %s of %s cannot be unwrapped by any key-encryption key; set aside", field.field, client.key().describe());
            return field;
        });
    }

    private static Throwable refusal(Throwable failure) {
        if (failure.getCause() instanceof KeyChangeRefusedException refused) {
            return ProblemException.conflict(refused.getMessage());
        }
        return failure;
    }
}
