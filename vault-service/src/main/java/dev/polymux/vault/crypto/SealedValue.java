package dev.polymux.vault.crypto;

/**
 * An encrypted value as stored: the ciphertext under its own data key, that data key wrapped by a key-encryption
 * key, and which KEK key wrapped it (for rotation progress and safe retirement). Holds no plaintext.
 */
public record SealedValue(byte[] ciphertext, byte[] wrappedDataKey, int kekKeyId) {

    @Override
    public String toString() {
        return "SealedValue[kekKeyId=" + kekKeyId + ", ciphertext=" + ciphertext.length + " bytes]";
    }
}
