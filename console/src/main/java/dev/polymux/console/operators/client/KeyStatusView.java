package dev.polymux.console.operators.client;

import java.util.List;

/** vault-service's key-encryption keys: ids and counts only, never key material. */
public record KeyStatusView(String backend, int primaryKeyId, List<Key> keys, long pendingRewrap, long unreadable) {

    public record Key(int id, boolean primary, long dataKeys) {
    }
}
