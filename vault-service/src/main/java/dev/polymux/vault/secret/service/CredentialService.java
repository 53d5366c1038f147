package dev.polymux.vault.secret.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.vault.audit.service.AuditTrail;
import dev.polymux.vault.audit.service.AuditTrail.Actor;
import dev.polymux.vault.config.VaultConfig;
import dev.polymux.vault.crypto.CryptoWork;
import dev.polymux.vault.crypto.EnvelopeCipher;
import dev.polymux.vault.crypto.SealedValue;
import dev.polymux.vault.crypto.SecretContext;
import dev.polymux.vault.installation.KnownInstallation;
import dev.polymux.vault.installation.repository.KnownInstallationRepository;
import dev.polymux.vault.secret.Credential;
import dev.polymux.vault.secret.SealedField;
import dev.polymux.vault.secret.repository.CredentialRepository;
import dev.polymux.vault.secret.repository.SealedFieldRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Storing, describing, opening and deleting an installation's secrets. Every value is sealed on its own
 * (EnvelopeCipher), every change and every read is audited in the same transaction, and nothing here ever puts a value
 * into an exception, a log line or an event.
 */
@ApplicationScoped
public class CredentialService {

    /** Opening retries when a rotation rewrapped the row between loading and opening it. */
    private static final int MAX_OPEN_ATTEMPTS = 3;

    private final KnownInstallationRepository installations;
    private final CredentialRepository credentials;
    private final SealedFieldRepository fields;
    private final ShapeValidator shapes;
    private final EnvelopeCipher cipher;
    private final CryptoWork crypto;
    private final AuditTrail audit;
    private final OutboxService outbox;
    private final VaultConfig config;
    private final ObjectMapper mapper;

    public CredentialService(KnownInstallationRepository installations, CredentialRepository credentials, SealedFieldRepository fields,
            ShapeValidator shapes, EnvelopeCipher cipher, CryptoWork crypto, AuditTrail audit, OutboxService outbox, VaultConfig config,
            ObjectMapper mapper) {
        this.installations = installations;
        this.credentials = credentials;
        this.fields = fields;
        this.shapes = shapes;
        this.cipher = cipher;
        this.crypto = crypto;
        this.audit = audit;
        this.outbox = outbox;
        this.config = config;
        this.mapper = mapper;
    }

    // ---- Installers' values (REST) ----

    /**
     * Validates {@code values} against the installation's shape, seals every field and replaces what was stored;
     * announces "credentials stored" so the installation becomes active.
     */
    @WithTransaction
    public Uni<StoredCredential> storeValues(String tenant, String installationId, JsonNode values, String by) {
        return storeValues(tenant, installationId, values, by, true);
    }

    /**
     * As {@link #storeValues(String, String, JsonNode, String)}; {@code requireAll} false lets required fields be
     * missing, for an integration's setup steps (oauth-service), which ask for them one step at a time.
     */
    @WithTransaction
    public Uni<StoredCredential> storeValues(String tenant, String installationId, JsonNode values, String by, boolean requireAll) {
        return pastable(tenant, installationId).flatMap(installation -> {
            JsonNode shape = parse(installation.shape);
            List<Problem.InvalidParam> problems = shapes.validate(shape, values, requireAll);
            if (!problems.isEmpty()) {
                throw ProblemException.invalid("The values do not fit connection " + installationId + "'s shape.", problems);
            }
            Instant now = now();
            Map<String, byte[]> plaintext = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getValue().isTextual() && !entry.getValue().asText().isEmpty()) {
                    plaintext.put(entry.getKey(), entry.getValue().asText().getBytes(StandardCharsets.UTF_8));
                }
            }
            return credentials.findForUpdate(installationId, Credential.VALUES)
                    .flatMap(existing -> existing != null ? bump(existing, now, by)
                            : credentials.createFirstVersion(tenant, installationId, Credential.VALUES, now, by).flatMap(createdId -> createdId != null
                                    ? Uni.createFrom().item(written(createdId, tenant, installationId, Credential.VALUES, 1, now, by))
                                    // A concurrent first write won: this one replaces it, as a later PUT would.
                                    : credentials.findForUpdate(installationId, Credential.VALUES).flatMap(won -> bump(won, now, by))))
                    .flatMap(credential -> replaceFields(credential, tenant, plaintext, now))
                    .call(stored -> audit.record(AuditTrail.SECRET_WRITTEN, tenant, installationId, Credential.VALUES, stored.fieldNames(),
                            Actor.user(by), null, stored.credential().version))
                    .call(stored -> announce(ConnectionEventTypes.CREDENTIALS_STORED, stored.credential(), stored.fieldNames()));
        });
    }

    /** What is stored for an installation: field names, when, by whom, fingerprints. Never a value. */
    @WithSession
    public Uni<StoredCredential> describeValues(String tenant, String installationId) {
        return owned(tenant, installationId).flatMap(installation -> load(installationId, Credential.VALUES)).map(stored -> {
            if (stored == null) {
                throw ProblemException.notFound("No values are stored for installation " + installationId + ".");
            }
            return stored;
        });
    }

    /** Deletes the pasted values; the installation goes back to pending ("credentials deleted"). */
    @WithTransaction
    public Uni<Void> deleteValues(String tenant, String installationId, String by) {
        return owned(tenant, installationId).flatMap(installation -> load(installationId, Credential.VALUES)).flatMap(stored -> {
            if (stored == null) {
                throw ProblemException.notFound("No values are stored for installation " + installationId + ".");
            }
            return credentials.delete(stored.credential())
                    .call(() -> audit.record(AuditTrail.SECRET_DELETED, tenant, installationId, Credential.VALUES, stored.fieldNames(),
                            Actor.user(by), null, 0))
                    .call(() -> announce(ConnectionEventTypes.CREDENTIALS_DELETED, stored.credential(), stored.fieldNames()));
        }).replaceWithVoid();
    }

    // ---- Internal reads and token sets (gRPC) ----

    /** The values of an installation, opened, after their read is recorded. Null when none are stored. */
    @WithTransaction
    public Uni<OpenedSecret> openValues(String tenant, String installationId, Actor reader, String purpose) {
        return open(tenant, installationId, Credential.VALUES, reader, purpose);
    }

    /**
     * The values of an uninstalled integration, which are kept until its setup is undone at the provider (only
     * oauth-service asks, to undo it). Null when none are stored. An integration not marked removed yet is read too:
     * oauth-service may take the uninstall event in before this service does, and it may read these values anyway.
     */
    @WithTransaction
    public Uni<OpenedSecret> openUninstalledValues(String tenant, String installationId, Actor reader, String purpose) {
        return installations.findById(installationId).flatMap(found -> {
            if (found == null || !found.tenant.equals(tenant) || !KnownInstallation.INTEGRATION.equals(found.kind)) {
                throw new NoSuchInstallation("Tenant " + tenant + " has no integration " + installationId + " known to vault-service.");
            }
            return opened(tenant, installationId, Credential.VALUES, reader, purpose);
        });
    }

    /** The token set's serialized form, opened, after its read is recorded. Null when none is stored. */
    @WithTransaction
    public Uni<OpenedSecret> openTokenSet(String tenant, String installationId, Actor reader, String purpose) {
        return open(tenant, installationId, Credential.TOKEN_SET, reader, purpose);
    }

    /**
     * Stores a token set if the stored version is {@code expectedVersion} (0: none yet); the new version, or null when
     * another writer got there first. {@code tokenSet} is cleared once sealed.
     */
    @WithTransaction
    public Uni<Long> putTokenSet(String tenant, String installationId, byte[] tokenSet, long expectedVersion, Actor writer) {
        Instant now = now();
        return known(tenant, installationId).flatMap(installation -> {
            if (!KnownInstallation.OAUTH.equals(installation.kind)) {
                throw new NotAnOAuthConnection("Installation " + installationId + " is a " + installation.kind
                        + " connection; token sets belong to oauth connections.");
            }
            Uni<Long> claimed = expectedVersion == 0
                    ? credentials.createFirstVersion(tenant, installationId, Credential.TOKEN_SET, now, writer.name())
                    : credentials.compareAndSet(installationId, Credential.TOKEN_SET, expectedVersion, now, writer.name());
            return claimed.flatMap(credentialId -> {
                if (credentialId == null) {
                    Arrays.fill(tokenSet, (byte) 0);
                    return Uni.createFrom().<Long>nullItem();
                }
                Credential credential = written(credentialId, tenant, installationId, Credential.TOKEN_SET, expectedVersion + 1, now,
                        writer.name());
                return replaceFields(credential, tenant, new LinkedHashMap<>(Map.of(Credential.TOKEN_SET, tokenSet)), now)
                        .call(stored -> audit.record(AuditTrail.SECRET_WRITTEN, tenant, installationId, Credential.TOKEN_SET,
                                stored.fieldNames(), writer, null, credential.version))
                        .replaceWith(credential.version);
            });
        });
    }

    /** The stored version of an installation's token set, 0 when none; for telling a losing writer where things are. */
    @WithSession
    public Uni<Long> tokenSetVersion(String installationId) {
        return credentials.findFor(installationId, Credential.TOKEN_SET).map(found -> found == null ? 0L : found.version);
    }

    /** Deletes every secret of a tenant's installation (uninstall, revoke); how many credentials went. Idempotent. */
    @WithTransaction
    public Uni<Integer> deleteAll(String tenant, String installationId, Actor by) {
        return credentials.list("tenant = ?1 and installationId = ?2", tenant, installationId).flatMap(found -> Multi.createFrom().iterable(found)
                .onItem().transformToUniAndConcatenate(credential -> fields.ofCredential(credential.id)
                        .flatMap(sealed -> credentials.delete(credential)
                                .call(() -> audit.record(AuditTrail.SECRET_DELETED, credential.tenant, installationId, credential.purpose,
                                        sealed.stream().map(field -> field.field).toList(), by, null, 0))
                                .replaceWith(credential)))
                .collect().asList().map(List::size));
    }

    // ---- the parts ----

    private Uni<OpenedSecret> open(String tenant, String installationId, String purpose, Actor reader, String why) {
        return known(tenant, installationId).flatMap(installation -> opened(tenant, installationId, purpose, reader, why));
    }

    private Uni<OpenedSecret> opened(String tenant, String installationId, String purpose, Actor reader, String why) {
        return load(installationId, purpose).flatMap(stored -> {
            if (stored == null) {
                return Uni.createFrom().nullItem();
            }
            Map<String, byte[]> opened = new LinkedHashMap<>();
            return Multi.createFrom().iterable(stored.fields())
                    .onItem().transformToUniAndConcatenate(field -> openField(field, new SecretContext(tenant, installationId, field.field), 1)
                            .invoke(value -> opened.put(field.field, value)))
                    .collect().last()
                    .call(() -> audit.record(AuditTrail.SECRET_READ, tenant, installationId, purpose, stored.fieldNames(), reader, why,
                            stored.credential().version))
                    .map(done -> new OpenedSecret(installationId, opened, stored.credential().version, stored.credential().updatedAt))
                    .onFailure().invoke(() -> opened.values().forEach(value -> Arrays.fill(value, (byte) 0)));
        });
    }

    /**
     * Opens a field; when that fails, the row is read again, and if a rotation rewrapped it meanwhile (the key it was
     * loaded with may be retired by now), it is opened as it is now. Anything else fails as it is.
     */
    private Uni<byte[]> openField(SealedField field, SecretContext context, int attempt) {
        SealedValue loaded = field.sealed();
        return crypto.run(() -> cipher.open(loaded, context)).onFailure(CryptoWork.CryptoFailure.class).recoverWithUni(failure -> {
            if (attempt == MAX_OPEN_ATTEMPTS) {
                return Uni.createFrom().failure(failure);
            }
            return fields.reload(field).flatMap(now -> Arrays.equals(now.wrappedDataKey, loaded.wrappedDataKey())
                    ? Uni.createFrom().failure(failure)
                    : openField(now, context, attempt + 1));
        });
    }

    private Uni<StoredCredential> replaceFields(Credential credential, String tenant, Map<String, byte[]> plaintext, Instant now) {
        return fields.deleteOfCredential(credential.id)
                .chain(() -> Multi.createFrom().iterable(plaintext.entrySet()).onItem().transformToUniAndConcatenate(entry -> {
                    String field = entry.getKey();
                    byte[] value = entry.getValue();
                    return crypto.run(() -> {
                        try {
                            SealedField row = new SealedField();
                            row.credentialId = credential.id;
                            row.field = field;
                            row.seal(cipher.seal(value, new SecretContext(tenant, credential.installationId, field)));
                            row.fingerprint = fingerprint(credential.installationId, field, value);
                            row.valueLength = new String(value, StandardCharsets.UTF_8).length();
                            row.updatedAt = now;
                            return row;
                        } finally {
                            Arrays.fill(value, (byte) 0);
                        }
                    }).flatMap(fields::persist);
                }).collect().asList())
                .map(rows -> new StoredCredential(credential, rows));
    }

    private Uni<Credential> bump(Credential credential, Instant now, String by) {
        credential.version++;
        credential.updatedAt = now;
        credential.updatedBy = by;
        return Uni.createFrom().item(credential);
    }

    private Uni<StoredCredential> load(String installationId, String purpose) {
        return credentials.findFor(installationId, purpose).flatMap(credential -> credential == null ? Uni.createFrom().nullItem()
                : fields.ofCredential(credential.id).map(rows -> new StoredCredential(credential, rows)));
    }

    /** An installation of this tenant that takes pasted values: vault or integration, not removed. */
    private Uni<KnownInstallation> pastable(String tenant, String installationId) {
        return owned(tenant, installationId).map(installation -> {
            if (KnownInstallation.OAUTH.equals(installation.kind)) {
                throw ProblemException.conflict("Installation " + installationId + " is an OAuth connection: it is connected by "
                        + "authorizing it (oauth-service), not by pasting values.");
            }
            if (installation.shape == null) {
                throw ProblemException.conflict("Installation " + installationId + " has no credential shape; its connector defines none.");
            }
            return installation;
        });
    }

    /** For REST: 404 for another tenant's installation, exactly as for none; 409 when it was uninstalled. */
    private Uni<KnownInstallation> owned(String tenant, String installationId) {
        return installations.findById(installationId).map(found -> {
            if (found == null || !found.tenant.equals(tenant)) {
                throw ProblemException.notFound("There is no installation " + installationId
                        + " here. If it was created a moment ago, retry shortly: vault-service learns of installations from the registry's events.");
            }
            if (found.removed()) {
                throw ProblemException.conflict(uninstalled(found));
            }
            return found;
        });
    }

    /** For gRPC: the installation, or NoSuchInstallation (unknown, another tenant's, or removed). */
    private Uni<KnownInstallation> known(String tenant, String installationId) {
        return installations.findById(installationId).map(found -> {
            if (found == null || !found.tenant.equals(tenant)) {
                throw new NoSuchInstallation("Tenant " + tenant + " has no installation " + installationId + " known to vault-service.");
            }
            if (found.removed()) {
                throw new NoSuchInstallation(uninstalled(found));
            }
            return found;
        });
    }

    /** What became of an uninstalled installation's secrets: an integration's wait for its setup to be undone. */
    private String uninstalled(KnownInstallation installation) {
        if (KnownInstallation.INTEGRATION.equals(installation.kind)) {
            return "Installation " + installation.id + " was uninstalled; its values are kept only until its setup is undone at the provider ("
                    + days(config.uninstalledRetention()) + " at most), then deleted.";
        }
        return "Installation " + installation.id + " was uninstalled; its secrets are deleted.";
    }

    private static String days(Duration retention) {
        if (retention.toHours() >= 24 && retention.toHours() % 24 == 0) {
            return retention.toDays() + (retention.toDays() == 1 ? " day" : " days");
        }
        if (retention.toMinutes() >= 60 && retention.toMinutes() % 60 == 0) {
            return retention.toHours() + (retention.toHours() == 1 ? " hour" : " hours");
        }
        return retention.toSeconds() + " seconds";
    }

    private Uni<Void> announce(String type, Credential credential, List<String> fieldNames) {
        ObjectNode data = mapper.createObjectNode().put("tenantId", credential.tenant).put("installationId", credential.installationId);
        fieldNames.forEach(data.putArray("fields")::add);
        data.put("version", ConnectionEventTypes.CREDENTIALS_DELETED.equals(type) ? 0 : credential.version);
        return outbox.enqueue(EventTopics.CONNECTION_EVENTS, credential.installationId,
                CloudEvent.create(config.eventSource(), type, credential.installationId, data)).replaceWithVoid();
    }

    /** The credential row a native insert or compare-and-set just wrote, without loading it again. */
    private static Credential written(long id, String tenant, String installationId, String purpose, long version, Instant now, String by) {
        Credential credential = new Credential();
        credential.id = id;
        credential.tenant = tenant;
        credential.installationId = installationId;
        credential.purpose = purpose;
        credential.version = version;
        credential.updatedAt = now;
        credential.updatedBy = by;
        return credential;
    }

    /**
     * "sha256:" and the first 8 hex digits of SHA-256 over installation, field and value: enough for an installer to
     * tell which key is stored, bound to the installation so equal values elsewhere do not match, and too short to
     * confirm a guessed value with certainty (32 bits).
     */
    static String fingerprint(String installationId, String field, byte[] value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(("polymux/fingerprint/v1|" + installationId + "|" + field + "|").getBytes(StandardCharsets.UTF_8));
            byte[] hash = digest.digest(value);
            return "sha256:" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored shape is not JSON", e);
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** The installation is unknown, another tenant's, or removed: gRPC NOT_FOUND. */
    public static final class NoSuchInstallation extends RuntimeException {
        public NoSuchInstallation(String message) {
            super(message);
        }
    }

    /** Token sets belong to oauth installations only: gRPC FAILED_PRECONDITION. */
    public static final class NotAnOAuthConnection extends RuntimeException {
        public NotAnOAuthConnection(String message) {
            super(message);
        }
    }
}
