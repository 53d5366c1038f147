package dev.polymux.registry.connector.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.listing.ReviewState;
import dev.polymux.registry.marketplace.ListingQueries;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class ConnectorVersionRepository implements PanacheRepositoryBase<ConnectorVersion, Long> {

    private static final String NEWEST_FIRST = "versionMajor desc, versionMinor desc, versionPatch desc";

    public Uni<ConnectorVersion> findVersion(String connectorId, String version) {
        return find("connectorId = ?1 and version = ?2", connectorId, version).firstResult();
    }

    /** The version, locked until the transaction ends: decisions on one version happen one after the other. */
    public Uni<ConnectorVersion> findVersionForUpdate(String connectorId, String version) {
        return find("connectorId = ?1 and version = ?2", connectorId, version).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Which tenant owns a connector id: whoever created its first version. */
    public Uni<String> ownerOf(String connectorId) {
        return find("connectorId = ?1 order by id", connectorId).firstResult().map(v -> v == null ? null : v.ownerTenant);
    }

    public Uni<List<ConnectorVersion>> listOwnedBy(String tenant) {
        return list("ownerTenant = ?1 order by connectorId, " + NEWEST_FIRST, tenant);
    }

    public Uni<List<ConnectorVersion>> listInState(ReviewState state) {
        return list("state = ?1 order by submittedAt", state.value());
    }

    /** The newest approved version of a connector. */
    public Uni<ConnectorVersion> newestApproved(String connectorId) {
        return find("connectorId = ?1 and state = ?2 order by " + NEWEST_FIRST, connectorId, ReviewState.APPROVED.value())
                .firstResult();
    }

    /** The newest version of a connector in {@code state} that {@code tenant} owns. */
    public Uni<ConnectorVersion> newestOwnedInState(String connectorId, String tenant, ReviewState state) {
        return find("connectorId = ?1 and ownerTenant = ?2 and state = ?3 order by " + NEWEST_FIRST, connectorId, tenant, state.value())
                .firstResult();
    }

    /** The marketplace: the newest approved version of each connector, filtered by kind and text. */
    public Uni<List<ConnectorVersion>> marketplace(String kind, String text, int page, int size) {
        return find(marketplaceQuery(kind, text) + " order by v.connectorId", marketplaceParameters(kind, text))
                .page(Page.of(page, size)).list();
    }

    public Uni<Long> countMarketplace(String kind, String text) {
        return count(marketplaceQuery(kind, text), marketplaceParameters(kind, text));
    }

    private static String marketplaceQuery(String kind, String text) {
        StringBuilder query = new StringBuilder("from ConnectorVersion v where v.state = :approved and "
                + ListingQueries.noNewerVersion("ConnectorVersion", "v", "connectorId", " and newer.state = :approved"));
        if (kind != null) {
            query.append(" and v.kind = :kind");
        }
        if (text != null) {
            query.append(" and (lower(v.connectorId) like :text or lower(v.label) like :text or lower(coalesce(v.description, '')) like :text)");
        }
        return query.toString();
    }

    private static Parameters marketplaceParameters(String kind, String text) {
        Parameters parameters = Parameters.with("approved", ReviewState.APPROVED.value());
        if (kind != null) {
            parameters.and("kind", kind);
        }
        if (text != null) {
            parameters.and("text", ListingQueries.containsPattern(text));
        }
        return parameters;
    }
}
