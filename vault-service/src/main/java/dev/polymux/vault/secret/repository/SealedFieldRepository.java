package dev.polymux.vault.secret.repository;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.vault.secret.SealedField;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class SealedFieldRepository implements PanacheRepositoryBase<SealedField, Long> {

    public Uni<List<SealedField>> ofCredential(long credentialId) {
        return list("credentialId = ?1 order by field", credentialId);
    }

    public Uni<Long> deleteOfCredential(long credentialId) {
        return delete("credentialId = ?1", credentialId);
    }

    /** Reads the row again from the database (a rotation may have rewrapped it since it was loaded). */
    public Uni<SealedField> reload(SealedField field) {
        return Panache.getSession().flatMap(session -> session.refresh(field)).replaceWith(field);
    }

    /** How many data keys each KEK key wraps. */
    public Uni<Map<Long, Long>> countByKekKey() {
        return Panache.getSession().flatMap(session -> session
                .createSelectionQuery("select kekKeyId, count(*) from SealedField group by kekKeyId", Object[].class).getResultList())
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

    /**
     * A batch of rows wrapped by another key than the primary, locked so that several replicas rewrapping at once take
     * different rows, and a concurrent writer of the same row waits.
     */
    public Uni<List<SealedField>> lockWrappedByOtherThan(long primaryKeyId, int limit) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                select * from sealed_field where kek_key_id <> ?1 and unreadable_since is null
                order by id limit ?2 for update skip locked""", SealedField.class)
                .setParameter(1, primaryKeyId).setParameter(2, limit).getResultList());
    }
}
