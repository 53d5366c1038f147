package dev.polymux.vault.oauthclient.repository;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.vault.oauthclient.SealedClientField;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

/** The sealed fields of OAuth clients; the KEK queries mirror SealedFieldRepository's, for rotation and retirement. */
@ApplicationScoped
public class SealedClientFieldRepository implements PanacheRepositoryBase<SealedClientField, Long> {

    public Uni<List<SealedClientField>> ofClient(long registeredClientId) {
        return list("registeredClientId = ?1 order by field", registeredClientId);
    }

    public Uni<Long> deleteOfClient(long registeredClientId) {
        return delete("registeredClientId = ?1", registeredClientId);
    }

    /** Reads the row again from the database (a rotation may have rewrapped it since it was loaded). */
    public Uni<SealedClientField> reload(SealedClientField field) {
        return Panache.getSession().flatMap(session -> session.refresh(field)).replaceWith(field);
    }

    /** How many data keys each KEK key wraps. */
    public Uni<Map<Long, Long>> countByKekKey() {
        return Panache.getSession().flatMap(session -> session
                .createSelectionQuery("select kekKeyId, count(*) from SealedClientField group by kekKeyId", Object[].class).getResultList())
                .map(rows -> {
                    Map<Long, Long> counts = new LinkedHashMap<>();
                    rows.forEach(row -> counts.put((Long) row[0], (Long) row[1]));
                    return counts;
                });
    }

    public Uni<Long> countUnreadable() {
        return count("unreadableSince is not null");
    }

    public Uni<Long> countWrappedBy(long kekKeyId) {
        return count("kekKeyId = ?1", kekKeyId);
    }

    /** A batch of rows wrapped by another key than the primary, locked as SealedFieldRepository's are. */
    public Uni<List<SealedClientField>> lockWrappedByOtherThan(long primaryKeyId, int limit) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                select * from oauth_client_field where kek_key_id <> ?1 and unreadable_since is null
                order by id limit ?2 for update skip locked""", SealedClientField.class)
                .setParameter(1, primaryKeyId).setParameter(2, limit).getResultList());
    }
}
