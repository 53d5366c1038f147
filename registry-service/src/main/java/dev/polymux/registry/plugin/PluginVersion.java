package dev.polymux.registry.plugin;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import dev.polymux.registry.marketplace.PublishedVersion;

/** One published version of a plugin. Immutable; its manifest has each oauth/integration entry's connectorVersion pinned. */
@Entity
@Table(name = "plugin_version")
public class PluginVersion extends PublishedVersion {

    @Column(name = "plugin_id", nullable = false, updatable = false)
    public String pluginId;

    @Column(name = "published_at", nullable = false, updatable = false)
    public Instant publishedAt;
}
