package dev.polymux.vault.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
    void readersNeverSeeAnErrorOrAWrongValueWhileKeysRotateAndValuesAreRewrapped() throws Exception {
        LocalKeyEncryptionKeys keks = LocalKeyEncryptionKeys.generate();
        EnvelopeCipher cipher = new EnvelopeCipher(keks);
        int values = 20;
        List<AtomicReference<SealedValue>> stored = new ArrayList<>();
        for (int i = 0; i < values; i++) {
            stored.add(new AtomicReference<>(cipher.seal(("secret-" + i).getBytes(StandardCharsets.UTF_8), context(i))));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        CountDownLatch started = new CountDownLatch(3);
        for (int r = 0; r < 3; r++) {
            readers.submit(() -> {
                started.countDown();
                while (running.get()) {
                    int i = reads.getAndIncrement() % values;
                    try {
                        String read = new String(cipher.openLatest(stored.get(i)::get, context(i)), StandardCharsets.UTF_8);
                        if (!read.equals("secret-" + i)) {
                            problems.add("wrong value for " + i);
                        }
                    } catch (GeneralSecurityException e) {
                        problems.add("error for " + i + ": " + e.getClass().getSimpleName());
                    }
                }
            });
        }
        started.await();
        for (int round = 0; round < 3; round++) {
            int retiring = keks.primaryKeyId();
            keks.rotate();
            for (int i = 0; i < values; i++) {
                stored.get(i).set(cipher.rewrap(stored.get(i).get(), context(i)));
            }
            keks.retire(retiring);
        }
        running.set(false);
        readers.shutdown();
        assertTrue(readers.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of(), List.copyOf(problems));
        assertTrue(reads.get() > values, "the readers really read during rotation: " + reads.get());
    }

    @Test
    void openLatestStillFailsForRealTampering() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher(LocalKeyEncryptionKeys.generate());
        SealedValue sealed = cipher.seal(KEY, ACME_STRIPE);
        byte[] ciphertext = sealed.ciphertext().clone();
        ciphertext[0] ^= 1;
        SealedValue tampered = new SealedValue(ciphertext, sealed.wrappedDataKey(), sealed.kekKeyId());
        assertThrows(GeneralSecurityException.class, () -> cipher.openLatest(() -> tampered, ACME_STRIPE));
    }

    private static SecretContext context(int i) {
        return new SecretContext("acme", "inst_" + i, "value");
    }
}
