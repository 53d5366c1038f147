package dev.polymux.oauth.authorization.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The state of an authorize link and what it protects. The state is 256 random bits; only its SHA-256 is stored.
 * The PKCE verifier is sealed (AES-256-GCM, JDK) under a key derived from the state, so only the holder of the
 * state (the provider's redirect) can open it, and a copy of the database cannot.
 */
public final class StateKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE = 12;

    private StateKeys() {
    }

    /** 256 random bits, base64url without padding. */
    public static String newState() {
        byte[] state = new byte[32];
        RANDOM.nextBytes(state);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(state);
    }

    public static String hash(String state) {
        return HexFormat.of().formatHex(sha256("polymux/state/v1|" + state));
    }

    public static byte[] seal(String state, String verifier) {
        try {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(state), new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(verifier.getBytes(StandardCharsets.US_ASCII));
            return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    public static String open(String state, byte[] sealed) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key(state), new GCMParameterSpec(128, sealed, 0, NONCE));
        return new String(cipher.doFinal(sealed, NONCE, sealed.length - NONCE), StandardCharsets.US_ASCII);
    }

    private static SecretKeySpec key(String state) {
        return new SecretKeySpec(sha256("polymux/pkce/v1|" + state), "AES");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
