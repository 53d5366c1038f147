package dev.polymux.vault.rotation.service;

import java.util.List;

/**
 * The KEK keys, which is primary, how many data keys each still wraps, how many wait for rewrapping, and how many
 * fields no key can open (set aside; they keep their key from being retired). Key ids only, never key material.
 */
public record KeyStatus(String backend, int primaryKeyId, List<Key> keys, long pendingRewrap, long unreadable) {

    public record Key(int id, boolean primary, long dataKeys) {
    }
}
