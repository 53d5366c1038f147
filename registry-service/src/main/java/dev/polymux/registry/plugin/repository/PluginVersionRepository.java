package dev.polymux.registry.plugin.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import dev.polymux.registry.listing.ReviewState;
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

    /** The version, locked until the transaction ends: decisions on one version happen one after the other. */
    public Uni<PluginVersion> findVersionForUpdate(String pluginId, String version) {
        return find("pluginId = ?1 and version = ?2", pluginId, version).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** The newest approved version of a plugin: what the Plugins tab shows and an install without a version gets. */
    public Uni<PluginVersion> newestApproved(String pluginId) {
        return find("pluginId = ?1 and state = ?2 order by " + NEWEST_FIRST, pluginId, ReviewState.APPROVED.value()).firstResult();
    }

    /** Which tenant owns a plugin id: whoever created its first version. */
    public Uni<String> ownerOf(String pluginId) {
        return find("pluginId = ?1 order by id", pluginId).firstResult().map(p -> p == null ? null : p.ownerTenant);
    }

    public Uni<List<PluginVersion>> listOwnedBy(String tenant) {
        return list("ownerTenant = ?1 order by pluginId, " + NEWEST_FIRST, tenant);
    }

    public Uni<List<PluginVersion>> listInState(ReviewState state) {
        return list("state = ?1 order by submittedAt", state.value());
    }

    /** The Plugins tab: the newest approved version of each plugin, filtered by text. */
    public Uni<List<PluginVersion>> marketplace(String text, int page, int size) {
        return find(query(text) + " order by p.pluginId", parameters(text)).page(Page.of(page, size)).list();
    }

    public Uni<Long> countMarketplace(String text) {
        return count(query(text), parameters(text));
    }

    private static String query(String text) {
        String newest = "from PluginVersion p where p.state = :approved and "
                + ListingQueries.noNewerVersion("PluginVersion", "p", "pluginId", " and newer.state = :approved");
        return text == null ? newest
                : newest + " and (lower(p.pluginId) like :text or lower(p.label) like :text or lower(coalesce(p.description, '')) like :text)";
    }

    private static Parameters parameters(String text) {
        Parameters parameters = Parameters.with("approved", ReviewState.APPROVED.value());
        return text == null ? parameters : parameters.and("text", ListingQueries.containsPattern(text));
    }
}
