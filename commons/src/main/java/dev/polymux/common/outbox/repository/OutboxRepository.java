package dev.polymux.common.outbox.repository;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.common.outbox.OutboxEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class OutboxRepository implements PanacheRepositoryBase<OutboxEvent, Long> {

    /**
     * The oldest unpublished events, locked for this transaction. SKIP LOCKED lets every replica run a relay:
     * each claims a different batch, and no event is sent twice at the same time.
     */
    public Uni<List<OutboxEvent>> claimUnpublished(int limit) {
        return getSession().flatMap(session -> session
                .createNativeQuery("""
                        select * from outbox_event
                        where published_at is null and failed_at is null
                        order by id
                        limit :limit
                        for update skip locked""", OutboxEvent.class)
                .setParameter("limit", limit)
                .getResultList());
    }

    public Uni<Long> countUnpublished() {
        return count("publishedAt is null and failedAt is null");
    }

    public Uni<Long> deletePublishedBefore(Instant cutoff) {
        return delete("publishedAt < ?1", cutoff);
    }
}
