package dev.polymux.vault.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashSet;
import java.util.Set;

import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.VaultException;
import io.quarkus.vault.VaultTransitSecretEngine;
import io.quarkus.vault.transit.ClearData;
import io.quarkus.vault.transit.KeyConfigRequestDetail;
import io.quarkus.vault.transit.KeyCreationRequestDetail;
import io.quarkus.vault.transit.TransitContext;
import io.quarkus.vault.transit.VaultTransitKeyDetail;

/**
 * The HashiCorp Vault / OpenBao backend: data keys are wrapped by a Transit key that never leaves Vault. The key is
 * {@code derived}, and the value's associated data is the Transit {@code context}, so a wrapped data key unwraps only
 * for the tenant, installation and field it was made for. Key ids are Transit key versions; rotation is Transit's
 * {@code rotate}; retiring raises {@code min_decryption_version}, so keys retire oldest first.
 */
public final class VaultTransitKeyEncryptionKeys implements KeyEncryptionKeys {

    private static final String PREFIX = "vault:v";

    private final VaultTransitSecretEngine transit;
    private final String keyName;

    public VaultTransitKeyEncryptionKeys(VaultTransitSecretEngine transit, String keyName) {
        this.transit = transit;
        this.keyName = keyName;
    }

    /** Creates the Transit key (derived AES-256-GCM) unless it exists; refuses an existing key that is not derived. */
    public VaultTransitKeyEncryptionKeys ensureKey() throws GeneralSecurityException {
        VaultTransitKeyDetail<?> key = transit.readKey(keyName).orElse(null);
        if (key == null) {
            transit.createKey(keyName, new KeyCreationRequestDetail().setDerived(true).setType("aes256-gcm96"));
        } else if (!key.isDerived()) {
            throw new GeneralSecurityException("Transit key " + keyName + " is not derived; vault-service binds every data key to its "
                    + "installation through the Transit context, which needs a key created with derived=true.");
        }
        return this;
    }

    @Override
    public byte[] wrap(byte[] dataKey, byte[] associatedData) throws GeneralSecurityException {
        try {
            return transit.encrypt(keyName, new ClearData(dataKey), TransitContext.fromContext(associatedData)).getBytes(StandardCharsets.US_ASCII);
        } catch (VaultException e) {
            throw new GeneralSecurityException("Transit encrypt with key " + keyName + " failed" + status(e));
        }
    }

    @Override
    public byte[] unwrap(byte[] wrappedDataKey, byte[] associatedData) throws GeneralSecurityException {
        try {
            return transit.decrypt(keyName, new String(wrappedDataKey, StandardCharsets.US_ASCII), TransitContext.fromContext(associatedData))
                    .getValue();
        } catch (VaultException e) {
            // Vault answers 400 for a wrong context or a retired version: the same "does not open" as a local tamper.
            throw new GeneralSecurityException("Transit decrypt with key " + keyName + " failed" + status(e));
        }
    }

    @Override
    public int keyIdOf(byte[] wrappedDataKey) {
        String ciphertext = new String(wrappedDataKey, StandardCharsets.US_ASCII);
        if (!ciphertext.startsWith(PREFIX)) {
            throw new IllegalArgumentException("Not a Transit ciphertext");
        }
        return Integer.parseInt(ciphertext.substring(PREFIX.length(), ciphertext.indexOf(':', PREFIX.length())));
    }

    @Override
    public int primaryKeyId() {
        return key().getLatestVersion();
    }

    @Override
    public Set<Integer> keyIds() {
        VaultTransitKeyDetail<?> key = key();
        Set<Integer> ids = new LinkedHashSet<>();
        for (int version = Math.max(1, key.getMinDecryptionVersion()); version <= key.getLatestVersion(); version++) {
            ids.add(version);
        }
        return ids;
    }

    @Override
    public int rotate() {
        transit.rotateKey(keyName);
        return primaryKeyId();
    }

    @Override
    public void retire(int keyId) throws GeneralSecurityException {
        VaultTransitKeyDetail<?> key = key();
        if (keyId >= key.getLatestVersion()) {
            throw new KeyChangeRefusedException("Version " + keyId + " is the primary Transit key version; rotate first.");
        }
        if (keyId < key.getMinDecryptionVersion()) {
            throw new KeyChangeRefusedException("Version " + keyId + " of Transit key " + keyName + " is retired already.");
        }
        if (keyId != Math.max(1, key.getMinDecryptionVersion())) {
            throw new KeyChangeRefusedException("Transit retires versions oldest first: retire version "
                    + Math.max(1, key.getMinDecryptionVersion()) + " before " + keyId + ".");
        }
        transit.updateKeyConfiguration(keyName, new KeyConfigRequestDetail().setMinDecryptionVersion(keyId + 1));
    }

    @Override
    public String backend() {
        return "vault";
    }

    /** The HTTP status only: Vault's own error text is not ours to pass on. */
    private static String status(VaultException e) {
        return e instanceof VaultClientException client && client.getStatus() != null ? " (status " + client.getStatus() + ")" : "";
    }

    private VaultTransitKeyDetail<?> key() {
        return transit.readKey(keyName).orElseThrow(() -> new IllegalStateException("Transit key " + keyName + " does not exist"));
    }

    @Override
    public String toString() {
        return "VaultTransitKeyEncryptionKeys[" + keyName + "]";
    }
}
