package dev.polymux.vault.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.polymux.vault.config.VaultConfig;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vault.VaultTransitSecretEngine;

/**
 * Builds the configured KEK backend once, at start, and fails the start with a sentence when it cannot: a vault that
 * cannot open what it stored must not take traffic. Also watches a local keyset file for changes made outside.
 */
@ApplicationScoped
public class KeyEncryptionKeysProducer {

    private static final Logger LOG = Logger.getLogger(KeyEncryptionKeysProducer.class);

    private final VaultConfig config;
    private final Instance<VaultTransitSecretEngine> transit;
    private final Instance<KeyEncryptionKeys> produced;
    private final AtomicReference<FileTime> keysetFileSeen = new AtomicReference<>();

    public KeyEncryptionKeysProducer(VaultConfig config, Instance<VaultTransitSecretEngine> transit, Instance<KeyEncryptionKeys> produced) {
        this.config = config;
        this.transit = transit;
        this.produced = produced;
    }

    @Produces
    @Singleton
    KeyEncryptionKeys keyEncryptionKeys() throws GeneralSecurityException {
        return switch (config.kek().backend()) {
            case "local" -> local();
            case "vault" -> new VaultTransitKeyEncryptionKeys(transit.get(), config.kek().transit().keyName()).ensureKey();
            default -> throw new IllegalStateException("polymux.vault.kek.backend must be local or vault, not '" + config.kek().backend() + "'");
        };
    }

    @Produces
    @Singleton
    EnvelopeCipher envelopeCipher(KeyEncryptionKeys keks) {
        return new EnvelopeCipher(keks);
    }

    private LocalKeyEncryptionKeys local() throws GeneralSecurityException {
        VaultConfig.Local local = config.kek().local();
        if (local.keyset().isPresent()) {
            LOG.info("Key-encryption keys: local keyset from the environment (read-only: rotate by updating its Secret)");
            return LocalKeyEncryptionKeys.fromBase64(local.keyset().get()).storedIn(keyset -> {
                throw new KeyChangeRefusedException("The keyset comes from an environment variable and cannot change here; "
                        + "give vault-service a writable keyset file, or use the vault (Transit) backend, to rotate online.");
            });
        }
        Path file = local.keysetFile().orElseThrow(() -> new IllegalStateException(
                "No key-encryption keyset: set polymux.vault.kek.local.keyset-file (or .keyset), or use the vault backend."));
        if (Files.notExists(file)) {
            if (!local.createIfMissing()) {
                throw new IllegalStateException("The keyset file " + file + " does not exist. Mount the keyset Secret there; "
                        + "deploy/local/up creates one on first run.");
            }
            LocalKeyEncryptionKeys created = LocalKeyEncryptionKeys.generate();
            write(file, created.export());
            LOG.infof("Key-encryption keys: created a new keyset in %s", file);
        }
        LocalKeyEncryptionKeys keys = LocalKeyEncryptionKeys.fromBase64(read(file));
        keysetFileSeen.set(modified(file));
        LOG.infof("Key-encryption keys: local keyset from %s, primary key %d", file, keys.primaryKeyId());
        return keys.storedIn(keyset -> {
            write(file, keyset);
            keysetFileSeen.set(modified(file));
        });
    }

    /** Picks up a keyset file changed outside this process (a Secret rotated by an operator, another replica). */
    @Scheduled(every = "${polymux.vault.kek.local.reload-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void reloadChangedKeysetFile() {
        KeyEncryptionKeys keks = produced.get();
        Path file = config.kek().local().keysetFile().orElse(null);
        if (!(keks instanceof LocalKeyEncryptionKeys local) || file == null || config.kek().local().keyset().isPresent()
                || Files.notExists(file)) {
            return;
        }
        FileTime seen = keysetFileSeen.get();
        FileTime now = modified(file);
        if (seen != null && !now.equals(seen)) {
            try {
                local.replaceWith(read(file));
                keysetFileSeen.set(now);
                LOG.infof("Key-encryption keys: reloaded %s, primary key %d", file, local.primaryKeyId());
            } catch (GeneralSecurityException | RuntimeException e) {
                LOG.errorf("The changed keyset file %s cannot be read (%s); keeping the keys in use", file, e.getClass().getSimpleName());
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the keyset file " + file, e);
        }
    }

    /** Writes beside the file and moves it in place, so a crash never leaves half a keyset; owner-only permissions. */
    private static void write(Path file, String keyset) throws GeneralSecurityException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path next = Files.createTempFile(dir, ".keyset", ".tmp");
            try {
                Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the directory's permissions apply.
            }
            Files.writeString(next, keyset, StandardCharsets.US_ASCII);
            try {
                Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new KeyChangeRefusedException("The keyset file " + file + " cannot be written (" + e.getClass().getSimpleName()
                    + "); nothing was changed.");
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
