package dev.polymux.console.installation.service;

import java.util.List;

/** An installed plugin's connections (revoked ones too: the registry keeps them), one card each. */
public record PluginGroup(String pluginId, String label, String version, List<ConnectionCard> cards) {

    /** Installed: some connection is not revoked, so Uninstall applies. */
    public boolean installed() {
        return cards.stream().anyMatch(c -> !c.installation().revoked());
    }

    public String anchor() {
        return "plugin-" + pluginId;
    }
}
