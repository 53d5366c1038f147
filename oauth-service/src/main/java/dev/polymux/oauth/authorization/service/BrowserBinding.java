package dev.polymux.oauth.authorization.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.polymux.oauth.config.OAuthConfig;

/**
 * Binds an authorization to the browser that started it (RFC 9700 section 4.7, CSRF protection bound to the user
 * agent). Opening the start URL puts 256 random bits (the binder) in a cookie of that browser, named after the state
 * so that flows in several tabs do not collide; only the binder's SHA-256 is stored. The callback is accepted only
 * from a browser that presents the binder.
 * <p>
 * The cookie is {@code HttpOnly} (no script reads it), {@code SameSite=Lax} (sent on the provider's top-level
 * redirect back, not on cross-site subrequests), scoped to the service's {@code /oauth} paths, lives as long as the
 * link is valid, and is {@code Secure} unless {@code polymux.oauth.secure-cookies} is false (plain-http local stack).
 */
@ApplicationScoped
public class BrowserBinding {

    static final String COOKIE_PREFIX = "polymux_oauth_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean secure;
    private final String path;

    @Inject
    public BrowserBinding(OAuthConfig config) {
        this(config.secureCookies(), config.publicBaseUrl().getPath() == null ? "" : config.publicBaseUrl().getPath());
    }

    /** {@code basePath}: the path of the public base URL (where the gateway routes this service), usually empty. */
    BrowserBinding(boolean secure, String basePath) {
        this.secure = secure;
        this.path = basePath.replaceAll("/+$", "") + "/oauth";
    }

    /** 256 random bits, base64url without padding (cookie-safe). */
    public static String newBinder() {
        byte[] binder = new byte[32];
        RANDOM.nextBytes(binder);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(binder);
    }

    /** What is stored of a binder. */
    public static String hash(String binder) {
        return HexFormat.of().formatHex(sha256("polymux/browser/v1|" + binder));
    }

    /** Whether {@code presented} (the cookie's value, or null) is the binder whose hash was stored (null: never opened). */
    public static boolean matches(String storedHash, String presented) {
        if (storedHash == null || presented == null || presented.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(storedHash.getBytes(StandardCharsets.US_ASCII), hash(presented).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cookie of the authorization with this state hash: the prefix and the hash's first 16 hex digits. */
    public static String cookieName(String stateHash) {
        return COOKIE_PREFIX + stateHash.substring(0, 16);
    }

    /** The Set-Cookie header value that gives the browser its binder for {@code validFor} (whole seconds, at least one). */
    public String setCookie(String name, String binder, Duration validFor) {
        return cookie(name, binder, Math.max(1, validFor.getSeconds()));
    }

    /** The Set-Cookie header value that removes the cookie (after the callback used it). */
    public String clearCookie(String name) {
        return cookie(name, "", 0);
    }

    private String cookie(String name, String value, long maxAge) {
        return name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAge + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
