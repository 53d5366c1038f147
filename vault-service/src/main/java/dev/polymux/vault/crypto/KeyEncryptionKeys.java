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

    Set<Integer> keyIds();
}
