package dev.polymux.vault.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {

    private static final SecretContext ACME_STRIPE = new SecretContext("acme", "inst_1", "value");
    private static final byte[] KEY = "rk_live_51Hx_secret_value".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSealedValueOpensToTheSameBytes() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher(LocalKeyEncryptionKeys.generate());
        SealedValue sealed = cipher.seal(KEY, ACME_STRIPE);
        assertFalse(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1).contains("rk_live"), "no plaintext in the ciphertext");
        assertFalse(sealed.toString().contains("rk_live"));
        assertArrayEquals(KEY, cipher.open(sealed, ACME_STRIPE));
    }

    @Test
    void everyValueGetsItsOwnDataKey() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher(LocalKeyEncryptionKeys.generate());
        SealedValue first = cipher.seal(KEY, ACME_STRIPE);
        SealedValue second = cipher.seal(KEY, ACME_STRIPE);
        assertFalse(java.util.Arrays.equals(first.wrappedDataKey(), second.wrappedDataKey()));
        assertFalse(java.util.Arrays.equals(first.ciphertext(), second.ciphertext()));
    }

    @Test
    void aFlippedByteAnywhereFailsToOpen() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher(LocalKeyEncryptionKeys.generate());
        SealedValue sealed = cipher.seal(KEY, ACME_STRIPE);
        byte[] ciphertext = sealed.ciphertext().clone();
        ciphertext[ciphertext.length / 2] ^= 1;
        assertThrows(GeneralSecurityException.class, () -> cipher.open(new SealedValue(ciphertext, sealed.wrappedDataKey(), sealed.kekKeyId()), ACME_STRIPE));
        byte[] wrapped = sealed.wrappedDataKey().clone();
        wrapped[wrapped.length - 1] ^= 1;
        assertThrows(GeneralSecurityException.class, () -> cipher.open(new SealedValue(sealed.ciphertext(), wrapped, sealed.kekKeyId()), ACME_STRIPE));
    }

    @Test
    void aValueCopiedToAnotherInstallationTenantOrFieldDoesNotOpen() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher(LocalKeyEncryptionKeys.generate());
        SealedValue sealed = cipher.seal(KEY, ACME_STRIPE);
        assertThrows(GeneralSecurityException.class, () -> cipher.open(sealed, new SecretContext("acme", "inst_2", "value")));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(sealed, new SecretContext("globex", "inst_1", "value")));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(sealed, new SecretContext("acme", "inst_1", "password")));
        // Swapping the two halves between installations fails too.
        SealedValue other = cipher.seal("other".getBytes(StandardCharsets.UTF_8), new SecretContext("acme", "inst_2", "value"));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(new SealedValue(sealed.ciphertext(), other.wrappedDataKey(), other.kekKeyId()), ACME_STRIPE));
    }

    @Test
    void anOAuthClientFieldOpensOnlyForItsOwnOwnerConnectorAndField() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher(LocalKeyEncryptionKeys.generate());
        OAuthClientContext platform = new OAuthClientContext("", "google-drive", "client_secret");
        SealedValue sealed = cipher.seal(KEY, platform);
        assertArrayEquals(KEY, cipher.open(sealed, platform));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(sealed, new OAuthClientContext("acme", "google-drive", "client_secret")),
                "the platform's client does not open as a tenant's");
        assertThrows(GeneralSecurityException.class, () -> cipher.open(sealed, new OAuthClientContext("", "dropbox", "client_secret")));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(sealed, new OAuthClientContext("", "google-drive", "client_id")));

        OAuthClientContext tenant = new OAuthClientContext("acme", "google-drive", "client_secret");
        SealedValue tenants = cipher.seal(KEY, tenant);
        assertThrows(GeneralSecurityException.class, () -> cipher.open(tenants, platform), "nor a tenant's as the platform's");
        assertThrows(GeneralSecurityException.class, () -> cipher.open(tenants, new OAuthClientContext("globex", "google-drive", "client_secret")));
        // Nor does an installation's secret open as an OAuth client's field, or the other way round.
        assertThrows(GeneralSecurityException.class, () -> cipher.open(cipher.seal(KEY, new SecretContext("acme", "google-drive", "client_secret")),
                tenant));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(tenants, new SecretContext("acme", "google-drive", "client_secret")));
        assertArrayEquals(KEY, cipher.open(cipher.rewrap(tenants, tenant), tenant));
    }

    @Test
    void afterRotationOldValuesOpenAndRewrappingMovesThemToTheNewKey() throws Exception {
        LocalKeyEncryptionKeys keks = LocalKeyEncryptionKeys.generate();
        EnvelopeCipher cipher = new EnvelopeCipher(keks);
        SealedValue old = cipher.seal(KEY, ACME_STRIPE);
        int oldKey = keks.primaryKeyId();

        int newKey = keks.rotate();
        assertNotEquals(oldKey, newKey);
        assertEquals(oldKey, old.kekKeyId());
        assertArrayEquals(KEY, cipher.open(old, ACME_STRIPE), "the old key still unwraps");
        assertEquals(newKey, cipher.seal(KEY, ACME_STRIPE).kekKeyId(), "new values use the new primary");

        SealedValue rewrapped = cipher.rewrap(old, ACME_STRIPE);
        assertEquals(newKey, rewrapped.kekKeyId());
        assertArrayEquals(old.ciphertext(), rewrapped.ciphertext(), "rewrapping leaves the value's ciphertext alone");

        keks.retire(oldKey);
        assertArrayEquals(KEY, cipher.open(rewrapped, ACME_STRIPE));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(old, ACME_STRIPE), "what was not rewrapped is lost: retire only unused keys");
        assertThrows(GeneralSecurityException.class, () -> keks.retire(newKey), "the primary cannot be retired");
    }

    @Test
    void theKeysetSurvivesExportAndImport() throws Exception {
        LocalKeyEncryptionKeys keks = LocalKeyEncryptionKeys.generate();
        keks.rotate();
        SealedValue sealed = new EnvelopeCipher(keks).seal(KEY, ACME_STRIPE);
        LocalKeyEncryptionKeys reloaded = LocalKeyEncryptionKeys.fromBase64(keks.export());
        assertEquals(keks.keyIds(), reloaded.keyIds());
        assertArrayEquals(KEY, new EnvelopeCipher(reloaded).open(sealed, ACME_STRIPE));
        assertFalse(keks.toString().contains(keks.export()));
    }

    @Test
    void aKeysetChangeTakesEffectOnlyOnceItIsStored() throws Exception {
        LocalKeyEncryptionKeys keks = LocalKeyEncryptionKeys.generate();
        int primary = keks.primaryKeyId();
        keks.storedIn(keyset -> {
            throw new KeyChangeRefusedException("read-only");
        });
        assertThrows(KeyChangeRefusedException.class, keks::rotate);
        assertEquals(primary, keks.primaryKeyId(), "an unstored key must not wrap anything: a restart would lose it");

        String[] saved = new String[1];
        keks.storedIn(keyset -> saved[0] = keyset);
        int rotated = keks.rotate();
        assertEquals(keks.keyIds(), LocalKeyEncryptionKeys.fromBase64(saved[0]).keyIds());
        assertEquals(rotated, LocalKeyEncryptionKeys.fromBase64(saved[0]).primaryKeyId());
    }
}
