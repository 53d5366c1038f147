package dev.polymux.vault.oauthclient;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.polymux.vault.crypto.SealedValue;

/**
 * One encrypted field of a {@link RegisteredClient} ({@code client_id} or {@code client_secret}), sealed exactly like an
 * installation's fields: ciphertext, its wrapped data key and the KEK key that wrapped it.
 */
@Entity
@Table(name = "oauth_client_field")
public class SealedClientField {

    public static final String CLIENT_ID = "client_id";
    public static final String CLIENT_SECRET = "client_secret";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "oauth_client_id", nullable = false, updatable = false)
    public Long registeredClientId;

    @Column(nullable = false, updatable = false)
    public String field;

    @Column(nullable = false)
    public byte[] ciphertext;

    @Column(name = "wrapped_data_key", nullable = false)
    public byte[] wrappedDataKey;

    @Column(name = "kek_key_id", nullable = false)
    public long kekKeyId;

    /** "sha256:" and 8 hex digits over the client's key, the field and the value; not the value. */
    @Column(nullable = false)
    public String fingerprint;

    @Column(name = "value_length", nullable = false)
    public int valueLength;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** Set by the rewrap job when no KEK key opens this field's data key; it is then skipped, not retried forever. */
    @Column(name = "unreadable_since")
    public Instant unreadableSince;

    public SealedValue sealed() {
        return new SealedValue(ciphertext, wrappedDataKey, (int) kekKeyId);
    }

    public void seal(SealedValue sealed) {
        ciphertext = sealed.ciphertext();
        wrappedDataKey = sealed.wrappedDataKey();
        kekKeyId = sealed.kekKeyId();
    }

    @Override
    public String toString() {
        return "SealedClientField[" + field + ", kek=" + kekKeyId + "]";
    }
}
