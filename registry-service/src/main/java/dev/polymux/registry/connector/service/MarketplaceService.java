package dev.polymux.registry.connector.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.common.problem.ProblemException;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.listing.ReviewState;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/** The marketplace's Connections tab: approved connectors, newest version by default, any listed version by number. */
@ApplicationScoped
public class MarketplaceService {

    private final ConnectorVersionRepository repository;

    public MarketplaceService(ConnectorVersionRepository repository) {
        this.repository = repository;
    }

    public record Listing(List<ConnectorVersion> items, long total) {
    }

    @WithSession
    public Uni<Listing> connectors(String kind, String text, int page, int size) {
        return repository.marketplace(kind, text, page, size)
                .flatMap(items -> repository.countMarketplace(kind, text).map(total -> new Listing(items, total)));
    }

    /** A published version: approved, or deprecated (still readable by plugins that pinned it). */
    @WithSession
    public Uni<ConnectorVersion> connector(String connectorId, String version) {
        Uni<ConnectorVersion> found = version == null ? repository.newestApproved(connectorId) : repository.findVersion(connectorId, version);
        return found.map(v -> {
            if (v == null || !(v.reviewState() == ReviewState.APPROVED || v.reviewState() == ReviewState.DEPRECATED)) {
                throw ProblemException.notFound("The marketplace has no connector " + connectorId + (version == null ? "" : " " + version) + ".");
            }
            return v;
        });
    }
}
