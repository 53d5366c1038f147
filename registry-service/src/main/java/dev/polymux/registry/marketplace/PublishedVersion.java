package dev.polymux.registry.marketplace;

import jakarta.persistence.Column;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/**
 * What connector and plugin versions share: an identity, a semantic version kept as numbers too (so "1.10.0" sorts
 * after "1.9.0"), the manifest, and who published it.
 */
@MappedSuperclass
public abstract class PublishedVersion {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, updatable = false)
    public String version;

    @Column(name = "version_major", nullable = false, updatable = false)
    public int versionMajor;

    @Column(name = "version_minor", nullable = false, updatable = false)
    public int versionMinor;

    @Column(name = "version_patch", nullable = false, updatable = false)
    public int versionPatch;

    @Column(nullable = false)
    public String label;

    public String description;

    /** The manifest as JSON text. */
    @Column(nullable = false)
    public String manifest;

    @Column(name = "owner_tenant", nullable = false, updatable = false)
    public String ownerTenant;

    /** Subject of the token that created it. */
    @Column(nullable = false, updatable = false)
    public String author;

    /** Sets the version and its numbers; the manifest schema has checked the MAJOR.MINOR.PATCH form. */
    public void setVersionNumber(String semanticVersion) {
        String[] parts = semanticVersion.split("\\.");
        this.version = semanticVersion;
        this.versionMajor = Integer.parseInt(parts[0]);
        this.versionMinor = Integer.parseInt(parts[1]);
        this.versionPatch = Integer.parseInt(parts[2]);
    }
}
