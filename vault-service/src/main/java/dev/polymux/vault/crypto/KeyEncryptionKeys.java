package dev.polymux.vault.crypto;

import java.security.GeneralSecurityException;
import java.util.Set;

/**
 * A key-encryption-key backend: wraps and unwraps data keys. The local backend keeps a Tink keyset (from a file,
 * an environment variable or a Kubernetes Secret); the vault backend delegates to HashiCorp Vault / OpenBao Transit.
 */
public interface KeyEncryptionKeys {

    /** Wraps a data key (a serialized Tink keyset) under the primary KEK. */
    byte[] wrap(byte[] dataKey, byte[] associatedData) throws GeneralSecurityException;

    /** Unwraps with whichever KEK key wrapped it, primary or not. */
    byte[] unwrap(byte[] wrappedDataKey, byte[] associatedData) throws GeneralSecurityException;

    /** The KEK key id a wrapped data key was wrapped with. */
    int keyIdOf(byte[] wrappedDataKey);

    int primaryKeyId();

    /** Every key that can still unwrap, primary included. */
    Set<Integer> keyIds();

    /** Adds a key and makes it primary; returns its id. Old keys keep unwrapping until retired. */
    int rotate() throws GeneralSecurityException;

    /**
     * Removes a key so that nothing it wrapped can be unwrapped any more. Refuses the primary; whether any data key
     * still uses it is the caller's check (KeyRotationService), made against the database first.
     */
    void retire(int keyId) throws GeneralSecurityException;

    /** Re-reads the keys from their source when they can change outside this process. */
    default void refresh() throws GeneralSecurityException {
    }

    /** "local" or "vault", for the admin endpoint and metrics. */
    String backend();
}
