package dev.polymux.vault.oauthclient.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.vault.audit.service.AuditTrail;
import dev.polymux.vault.audit.service.AuditTrail.Actor;
import dev.polymux.vault.crypto.CryptoWork;
import dev.polymux.vault.crypto.EnvelopeCipher;
import dev.polymux.vault.crypto.OAuthClientContext;
import dev.polymux.vault.crypto.SealedValue;
import dev.polymux.vault.oauthclient.ClientKey;
import dev.polymux.vault.oauthclient.RegisteredClient;
import dev.polymux.vault.oauthclient.SealedClientField;
import dev.polymux.vault.oauthclient.repository.RegisteredClientRepository;
import dev.polymux.vault.oauthclient.repository.SealedClientFieldRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Storing, opening and deleting OAuth clients. Client id and secret are each sealed on their own (EnvelopeCipher,
 * bound to tenant-or-platform + connector + field), every change and read is audited in the same transaction, and no
 * value ever goes into an exception, a log line or an event.
 */
@ApplicationScoped
public class OAuthClientService {

    /** Opening retries when a rotation rewrapped the row between loading and opening it. */
    private static final int MAX_OPEN_ATTEMPTS = 3;

    /** What a write left: the new version and the client secret's fingerprint (empty for a public client). */
    public record Written(long version, String fingerprint) {
    }

    private final RegisteredClientRepository clients;
    private final SealedClientFieldRepository fields;
    private final EnvelopeCipher cipher;
    private final CryptoWork crypto;
    private final AuditTrail audit;

    public OAuthClientService(RegisteredClientRepository clients, SealedClientFieldRepository fields, EnvelopeCipher cipher, CryptoWork crypto,
            AuditTrail audit) {
        this.clients = clients;
        this.fields = fields;
        this.cipher = cipher;
        this.crypto = crypto;
        this.audit = audit;
    }

    /** The client stored under exactly this key, opened, after its read is recorded. Null when none is stored. */
    @WithTransaction
    public Uni<OpenedClient> open(ClientKey key, Actor reader, String purpose) {
        return clients.findFor(key).flatMap(client -> client == null ? Uni.createFrom().<OpenedClient>nullItem()
                : fields.ofClient(client.id).flatMap(rows -> {
                    Map<String, byte[]> opened = new HashMap<>();
                    return Multi.createFrom().iterable(rows)
                            .onItem().transformToUniAndConcatenate(row -> openField(row, context(key, row.field), 1)
                                    .invoke(value -> opened.put(row.field, value)))
                            .collect().last()
                            .call(() -> audit.recordOAuthClient(AuditTrail.OAUTH_CLIENT_READ, key, names(rows), reader, null, purpose,
                                    client.version))
                            .map(done -> {
                                if (!opened.containsKey(SealedClientField.CLIENT_ID)) {
                                    throw new IllegalStateException("The stored client " + key + " has no client_id field");
                                }
                                return new OpenedClient(key, opened.get(SealedClientField.CLIENT_ID), opened.get(SealedClientField.CLIENT_SECRET),
                                        client.version, client.updatedAt);
                            })
                            .onFailure().invoke(() -> opened.values().forEach(value -> Arrays.fill(value, (byte) 0)));
                }));
    }

    /**
     * Stores a client, replacing what was stored: whatever version is there when {@code expectedVersion} is 0, else only
     * that version. Null when the compare-and-set lost. {@code clientId} and {@code clientSecret} (null or empty for
     * a public client) are cleared once sealed.
     */
    @WithTransaction
    public Uni<Written> put(ClientKey key, byte[] clientId, byte[] clientSecret, long expectedVersion, Actor writer, String via) {
        Instant now = now();
        Map<String, byte[]> plaintext = new LinkedHashMap<>();
        plaintext.put(SealedClientField.CLIENT_ID, clientId);
        if (clientSecret != null && clientSecret.length > 0) {
            plaintext.put(SealedClientField.CLIENT_SECRET, clientSecret);
        }
        Uni<RegisteredClientRepository.Written> claimed = expectedVersion == 0 ? clients.upsert(key, now, writer.name())
                : clients.compareAndSet(key, expectedVersion, now, writer.name());
        return claimed.flatMap(written -> {
            if (written == null) {
                plaintext.values().forEach(value -> Arrays.fill(value, (byte) 0));
                return Uni.createFrom().<Written>nullItem();
            }
            return replaceFields(key, written.id(), plaintext, now)
                    .call(rows -> audit.recordOAuthClient(AuditTrail.OAUTH_CLIENT_WRITTEN, key, names(rows), writer, via, null,
                            written.version()))
                    .map(rows -> new Written(written.version(), rows.stream()
                            .filter(row -> SealedClientField.CLIENT_SECRET.equals(row.field)).map(row -> row.fingerprint)
                            .findFirst().orElse("")));
        }).onFailure().invoke(() -> plaintext.values().forEach(value -> Arrays.fill(value, (byte) 0)));
    }

    /** The stored version under this key, 0 when none; for telling a losing writer where things are. */
    @WithSession
    public Uni<Long> version(ClientKey key) {
        return clients.findFor(key).map(found -> found == null ? 0L : found.version);
    }

    /** Deletes the client stored under exactly this key; false when there was none. Idempotent. */
    @WithTransaction
    public Uni<Boolean> delete(ClientKey key, Actor by) {
        return clients.findForUpdate(key).flatMap(client -> client == null ? Uni.createFrom().item(false)
                : fields.ofClient(client.id).flatMap(rows -> clients.delete("id = ?1", client.id)
                        .call(() -> audit.recordOAuthClient(AuditTrail.OAUTH_CLIENT_DELETED, key, names(rows), by, null, null, 0))
                        .replaceWith(true)));
    }

    // ---- the parts ----

    /**
     * Opens a field; when that fails, the row is read again, and if a rotation rewrapped it meanwhile (the key it was
     * loaded with may be retired by now), it is opened as it is now. Anything else fails as it is.
     */
    private Uni<byte[]> openField(SealedClientField field, OAuthClientContext context, int attempt) {
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

    private Uni<List<SealedClientField>> replaceFields(ClientKey key, long registeredClientId, Map<String, byte[]> plaintext, Instant now) {
        return fields.deleteOfClient(registeredClientId)
                .chain(() -> Multi.createFrom().iterable(plaintext.entrySet()).onItem().transformToUniAndConcatenate(entry -> {
                    String field = entry.getKey();
                    byte[] value = entry.getValue();
                    return crypto.run(() -> {
                        try {
                            SealedClientField row = new SealedClientField();
                            row.registeredClientId = registeredClientId;
                            row.field = field;
                            row.seal(cipher.seal(value, context(key, field)));
                            row.fingerprint = fingerprint(key, field, value);
                            row.valueLength = new String(value, StandardCharsets.UTF_8).length();
                            row.updatedAt = now;
                            return row;
                        } finally {
                            Arrays.fill(value, (byte) 0);
                        }
                    }).flatMap(fields::persist);
                }).collect().asList());
    }

    public static OAuthClientContext context(ClientKey key, String field) {
        return new OAuthClientContext(key.tenant(), key.connectorId(), field);
    }

    private static List<String> names(List<SealedClientField> rows) {
        return rows.stream().map(row -> row.field).toList();
    }

    /**
     * "sha256:" and the first 8 hex digits of SHA-256 over the client's key, field and value, as the credentials'
     * fingerprints are: enough to tell which secret is stored, bound to the key so equal values elsewhere do not match,
     * and too short to confirm a guessed value with certainty (32 bits).
     */
    static String fingerprint(ClientKey key, String field, byte[] value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(("polymux/fingerprint/v1|" + key.subject() + "|" + field + "|").getBytes(StandardCharsets.UTF_8));
            byte[] hash = digest.digest(value);
            return "sha256:" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
