package dev.polymux.registry.plugin;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One published version of a plugin. Immutable. */
@Entity
@Table(name = "plugin_version")
public class PluginVersion {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "plugin_id", nullable = false, updatable = false)
    public String pluginId;

    @Column(nullable = false, updatable = false)
    public String version;

    @Column(name = "version_major", nullable = false, updatable = false)
    public int versionMajor;

    @Column(name = "version_minor", nullable = false, updatable = false)
    public int versionMinor;

    @Column(name = "version_patch", nullable = false, updatable = false)
    public int versionPatch;

    @Column(nullable = false, updatable = false)
    public String label;

    @Column(updatable = false)
    public String description;

    /** The manifest as published, with each oauth/integration entry's connectorVersion pinned. */
    @Column(nullable = false, updatable = false)
    public String manifest;

    @Column(name = "owner_tenant", nullable = false, updatable = false)
    public String ownerTenant;

    @Column(nullable = false, updatable = false)
    public String author;

    @Column(name = "published_at", nullable = false, updatable = false)
    public Instant publishedAt;
}
