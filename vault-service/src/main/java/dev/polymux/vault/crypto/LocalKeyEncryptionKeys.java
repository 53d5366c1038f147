package dev.polymux.vault.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

/**
 * The embedded KEK backend: a Tink keyset of AES-256-GCM keys. Rotation adds a key and makes it primary; the old
 * keys stay and keep unwrapping until retired. Swapped atomically, so readers never see a half-rotated keyset.
 * Tink's ciphertexts start with the id of the key that made them, which is how {@link #keyIdOf} knows.
 */
public final class LocalKeyEncryptionKeys implements KeyEncryptionKeys {

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Where a changed keyset is written; read-only sources (an environment variable) have none. */
    @FunctionalInterface
    public interface KeysetStore {
        void save(String keyset) throws GeneralSecurityException;
    }

    private final AtomicReference<State> state;
    private volatile KeysetStore store;

    private record State(KeysetHandle keyset, Aead aead) {
        static State of(KeysetHandle keyset) throws GeneralSecurityException {
            return new State(keyset, keyset.getPrimitive(RegistryConfiguration.get(), Aead.class));
        }
    }

    private LocalKeyEncryptionKeys(KeysetHandle keyset) throws GeneralSecurityException {
        this.state = new AtomicReference<>(State.of(keyset));
    }

    /** A new keyset with one key: what deploy/local/up creates on first run. */
    public static LocalKeyEncryptionKeys generate() throws GeneralSecurityException {
        return new LocalKeyEncryptionKeys(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));
    }

    /** A keyset as {@link #export()} wrote it (base64 of Tink's binary keyset format). */
    public static LocalKeyEncryptionKeys fromBase64(String keyset) throws GeneralSecurityException {
        return new LocalKeyEncryptionKeys(TinkProtoKeysetFormat.parseKeyset(Base64.getDecoder().decode(keyset.trim()),
                InsecureSecretKeyAccess.get()));
    }

    /** The keyset, to keep in a file or Kubernetes Secret. This is key material: never log it. */
    public String export() throws GeneralSecurityException {
        return Base64.getEncoder().encodeToString(TinkProtoKeysetFormat.serializeKeyset(state.get().keyset(), InsecureSecretKeyAccess.get()));
    }

    /** Saves every later change (rotate, retire) here before it takes effect, so a restart never loses a key. */
    public LocalKeyEncryptionKeys storedIn(KeysetStore store) {
        this.store = store;
        return this;
    }

    /** Replaces the keyset with one read again from its source (a Secret updated by an operator). */
    public void replaceWith(String keyset) throws GeneralSecurityException {
        state.set(State.of(TinkProtoKeysetFormat.parseKeyset(Base64.getDecoder().decode(keyset.trim()), InsecureSecretKeyAccess.get())));
    }

    /** Adds a new key and makes it primary; returns its id. New wraps use it; old wraps still unwrap. */
    @Override
    public synchronized int rotate() throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(state.get().keyset());
        builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary());
        KeysetHandle rotated = builder.build();
        commit(rotated);
        return rotated.getPrimary().getId();
    }

    /** Removes a key; refusing to remove the primary. Whether anything still uses it is the caller's check. */
    @Override
    public synchronized void retire(int keyId) throws GeneralSecurityException {
        KeysetHandle current = state.get().keyset();
        if (current.getPrimary().getId() == keyId) {
            throw new KeyChangeRefusedException("The primary key-encryption key cannot be retired; rotate first.");
        }
        // A builder made from a keyset keeps its order, so the keyset's index of the key is the builder's.
        for (int i = 0; i < current.size(); i++) {
            if (current.getAt(i).getId() == keyId) {
                commit(KeysetHandle.newBuilder(current).deleteAt(i).build());
                return;
            }
        }
        throw new KeyChangeRefusedException("There is no key-encryption key " + keyId + " in the keyset.");
    }

    /** Stores the new keyset first: a key in use but not stored would be lost at the next restart. */
    private void commit(KeysetHandle changed) throws GeneralSecurityException {
        if (store != null) {
            store.save(Base64.getEncoder().encodeToString(TinkProtoKeysetFormat.serializeKeyset(changed, InsecureSecretKeyAccess.get())));
        }
        state.set(State.of(changed));
    }

    @Override
    public String backend() {
        return "local";
    }

    @Override
    public byte[] wrap(byte[] dataKey, byte[] associatedData) throws GeneralSecurityException {
        return state.get().aead().encrypt(dataKey, associatedData);
    }

    @Override
    public byte[] unwrap(byte[] wrappedDataKey, byte[] associatedData) throws GeneralSecurityException {
        return state.get().aead().decrypt(wrappedDataKey, associatedData);
    }

    @Override
    public int keyIdOf(byte[] wrappedDataKey) {
        // Tink output prefix: one version byte (0x01), then the key id, big-endian.
        return ByteBuffer.wrap(wrappedDataKey, 1, 4).getInt();
    }

    @Override
    public int primaryKeyId() {
        return state.get().keyset().getPrimary().getId();
    }

    @Override
    public Set<Integer> keyIds() {
        KeysetHandle keyset = state.get().keyset();
        Set<Integer> ids = new LinkedHashSet<>();
        for (int i = 0; i < keyset.size(); i++) {
            ids.add(keyset.getAt(i).getId());
        }
        return ids;
    }

    @Override
    public String toString() {
        return "LocalKeyEncryptionKeys[primary=" + primaryKeyId() + ", keys=" + keyIds() + "]";
    }
}
