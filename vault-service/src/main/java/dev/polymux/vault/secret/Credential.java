package dev.polymux.vault.secret;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The secrets of one installation for one purpose; its fields are {@link SealedField} rows. Holds no plaintext. */
@Entity
@Table(name = "credential")
public class Credential {

    /** The values an installer pasted for a vault or integration connection. */
    public static final String VALUES = "values";
    /** An OAuth token set, written by oauth-service with compare-and-set on {@link #version}. */
    public static final String TOKEN_SET = "token_set";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, updatable = false)
    public String tenant;

    @Column(name = "installation_id", nullable = false, updatable = false)
    public String installationId;

    @Column(nullable = false, updatable = false)
    public String purpose;

    /** Counts writes, starting at 1. */
    @Column(nullable = false)
    public long version;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "updated_by", nullable = false)
    public String updatedBy;
}
