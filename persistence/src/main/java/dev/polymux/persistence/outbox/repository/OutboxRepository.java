package dev.polymux.persistence.outbox.repository;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.persistence.outbox.OutboxEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class OutboxRepository implements PanacheRepositoryBase<OutboxEvent, Long> {

    /** The advisory lock the relaying replica holds (per database: each service has its own). "polymux" in ASCII. */
    public static final long RELAY_LOCK = 0x706f6c796d7578L;

    /**
     * Takes the relay lock until this transaction ends, unless another replica holds it: one relay per database at a
     * time, so batches are sent one after another and events of one key never overtake each other.
     */
    public Uni<Boolean> tryRelayLock() {
        return getSession().flatMap(session -> session.createNativeQuery("select pg_try_advisory_xact_lock(" + RELAY_LOCK + ")", Boolean.class)
                .getSingleResult());
    }

    /** The oldest unpublished events, locked for this transaction (the relay lock already keeps other relays out). */
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
