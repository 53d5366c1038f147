package dev.polymux.vault.crypto;

import java.security.GeneralSecurityException;

/** A rotation or retirement that must not happen (primary key, key still in use, read-only keyset); the message says why. */
public class KeyChangeRefusedException extends GeneralSecurityException {

    public KeyChangeRefusedException(String message) {
        super(message);
    }
}
