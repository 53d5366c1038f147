package dev.polymux.vault.crypto;

import java.security.GeneralSecurityException;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

/**
 * Envelope encryption of secret values: every value gets its own AES-256-GCM data key; the data key is wrapped by the
 * key-encryption key. Both layers take the value's {@link SealingContext} (an installation's secret, or an OAuth
 * client's field) as associated data. Rotation rewraps only
 * the small data key; the value's ciphertext is never touched.
 */
public final class EnvelopeCipher {

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final KeyEncryptionKeys keks;

    public EnvelopeCipher(KeyEncryptionKeys keks) {
        this.keks = keks;
    }

    public SealedValue seal(byte[] plaintext, SealingContext context) throws GeneralSecurityException {
        KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        byte[] associatedData = context.associatedData();
        byte[] ciphertext = dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(plaintext, associatedData);
        byte[] wrapped = keks.wrap(TinkProtoKeysetFormat.serializeKeyset(dataKey, InsecureSecretKeyAccess.get()), associatedData);
        return new SealedValue(ciphertext, wrapped, keks.keyIdOf(wrapped));
    }

    /** The plaintext; fails (GeneralSecurityException) on any tampering or a context it was not sealed for. */
    public byte[] open(SealedValue sealed, SealingContext context) throws GeneralSecurityException {
        byte[] associatedData = context.associatedData();
        KeysetHandle dataKey = TinkProtoKeysetFormat.parseKeyset(keks.unwrap(sealed.wrappedDataKey(), associatedData),
                InsecureSecretKeyAccess.get());
        return dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).decrypt(sealed.ciphertext(), associatedData);
    }

    /** The same value with its data key wrapped by the current primary KEK. */
    public SealedValue rewrap(SealedValue sealed, SealingContext context) throws GeneralSecurityException {
        byte[] associatedData = context.associatedData();
        byte[] wrapped = keks.wrap(keks.unwrap(sealed.wrappedDataKey(), associatedData), associatedData);
        return new SealedValue(sealed.ciphertext(), wrapped, keks.keyIdOf(wrapped));
    }
}
