package dev.polymux.vault.rotation.service;

import java.util.List;

/** The KEK keys, which is primary, and how many data keys each still wraps. Key ids only, never key material. */
public record KeyStatus(String backend, int primaryKeyId, List<Key> keys, long pendingRewrap) {

    public record Key(int id, boolean primary, long dataKeys) {
    }
}
