package dev.polymux.registry.plugin.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.registry.marketplace.ListingQueries;
import dev.polymux.registry.plugin.PluginVersion;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class PluginVersionRepository implements PanacheRepositoryBase<PluginVersion, Long> {

    private static final String NEWEST_FIRST = "versionMajor desc, versionMinor desc, versionPatch desc";

    public Uni<PluginVersion> findVersion(String pluginId, String version) {
        return find("pluginId = ?1 and version = ?2", pluginId, version).firstResult();
    }

    public Uni<PluginVersion> newest(String pluginId) {
        return find("pluginId = ?1 order by " + NEWEST_FIRST, pluginId).firstResult();
    }

    public Uni<String> ownerOf(String pluginId) {
        return find("pluginId = ?1 order by id", pluginId).firstResult().map(p -> p == null ? null : p.ownerTenant);
    }

    /** The newest version of each plugin, filtered by text. */
    public Uni<List<PluginVersion>> marketplace(String text, int page, int size) {
        return find(query(text) + " order by p.pluginId", parameters(text)).page(Page.of(page, size)).list();
    }

    public Uni<Long> countMarketplace(String text) {
        return count(query(text), parameters(text));
    }

    private static String query(String text) {
        String newest = "from PluginVersion p where " + ListingQueries.noNewerVersion("PluginVersion", "p", "pluginId", "");
        return text == null ? newest
                : newest + " and (lower(p.pluginId) like :text or lower(p.label) like :text or lower(coalesce(p.description, '')) like :text)";
    }

    private static Parameters parameters(String text) {
        return text == null ? new Parameters()
                : Parameters.with("text", ListingQueries.containsPattern(text));
    }
}
