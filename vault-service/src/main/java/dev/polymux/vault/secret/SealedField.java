package dev.polymux.vault.secret;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.polymux.vault.crypto.SealedValue;

/** One encrypted field of a {@link Credential}: ciphertext, its wrapped data key and the KEK key that wrapped it. */
@Entity
@Table(name = "sealed_field")
public class SealedField {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "credential_id", nullable = false, updatable = false)
    public Long credentialId;

    @Column(nullable = false, updatable = false)
    public String field;

    @Column(nullable = false)
    public byte[] ciphertext;

    @Column(name = "wrapped_data_key", nullable = false)
    public byte[] wrappedDataKey;

    @Column(name = "kek_key_id", nullable = false)
    public long kekKeyId;

    /** A short digest an installer can compare with what they pasted (see FingerprintService); not the value. */
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
        return "SealedField[" + field + ", kek=" + kekKeyId + "]";
    }
}
