package dev.polymux.registry.listing.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.registry.connector.service.ConnectorCatalogService;
import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.ListingVersion;
import dev.polymux.registry.plugin.service.PluginPublishingService;
import io.smallrye.mutiny.Uni;

/** The listing API's entry: each type's catalog, and the lists that span both types. */
@ApplicationScoped
public class ListingService {

    private final ConnectorCatalogService connections;
    private final PluginPublishingService plugins;

    public ListingService(ConnectorCatalogService connections, PluginPublishingService plugins) {
        this.connections = connections;
        this.plugins = plugins;
    }

    public ListingCatalog<? extends ListingVersion> catalog(ListingType type) {
        return switch (type) {
            case CONNECTION -> connections;
            case PLUGIN -> plugins;
        };
    }

    /** The tenant's listings of one type, or of both (connections first), in every state. */
    public Uni<List<ListingVersion>> ofTenant(String tenant, ListingType type) {
        return collect(type, catalog -> catalog.ownedBy(tenant), null);
    }

    /** What waits for review, of one type or both, oldest submission first. */
    public Uni<List<ListingVersion>> queue(ListingType type) {
        return collect(type, ListingCatalog::reviewQueue,
                Comparator.comparing((ListingVersion v) -> v.submittedAt, Comparator.nullsLast(Comparator.naturalOrder())));
    }

    private Uni<List<ListingVersion>> collect(ListingType type,
            Function<ListingCatalog<? extends ListingVersion>, Uni<? extends List<? extends ListingVersion>>> query,
            Comparator<ListingVersion> order) {
        List<ListingType> types = type == null ? List.of(ListingType.values()) : List.of(type);
        Uni<List<ListingVersion>> all = Uni.createFrom().item(new ArrayList<>());
        for (ListingType each : types) {
            all = all.flatMap(found -> query.apply(catalog(each)).map(more -> {
                found.addAll(more);
                return found;
            }));
        }
        return order == null ? all : all.invoke(found -> found.sort(order));
    }
}
