package dev.polymux.console.signin.service;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.OidcRedirectFilter;
import io.quarkus.oidc.Redirect;

/**
 * Binds the code flow's return to the browser that started it, in a cookie nobody else can set. quarkus-oidc
 * compares the {@code state} of the return with its own state cookie, but that cookie can have no {@code __Host-}
 * prefix, so a sibling subdomain could plant the attacker's, and send a victim to the attacker's own unused code:
 * the victim would be signed in as the attacker (login CSRF), in the attacker's tenant, and might paste keys there.
 * When quarkus-oidc sends the browser to the issuer, this sets {@value #COOKIE} to a hash of the state; the return is
 * accepted only with a state whose hash it holds (SignInResource).
 */
@ApplicationScoped
@Unremovable
@Redirect(Redirect.Location.OIDC_AUTHORIZATION)
public class SignInBinding implements OidcRedirectFilter {

    public static final String COOKIE = "__Host-polymux_signin";
    /** A sign-in at the issuer may take this long. */
    private static final long MAX_AGE_SECONDS = 600;

    @Override
    public void filter(OidcRedirectContext context) {
        state(context.redirectUri()).ifPresent(state -> context.routingContext().response().headers().add("Set-Cookie",
                COOKIE + "=" + hash(state) + "; Path=/; Max-Age=" + MAX_AGE_SECONDS + "; HttpOnly; SameSite=Lax; Secure"));
    }

    /** Whether the return's {@code state} is the one this browser was sent to the issuer with. */
    public static boolean matches(String state, String cookie) {
        return state != null && cookie != null
                && MessageDigest.isEqual(hash(state).getBytes(StandardCharsets.US_ASCII), cookie.getBytes(StandardCharsets.US_ASCII));
    }

    /** The Set-Cookie value that deletes the binding once used. */
    public static String deleted() {
        return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure";
    }

    static Optional<String> state(String authorizationUrl) {
        String query = URI.create(authorizationUrl).getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("state=")) {
                return Optional.of(java.net.URLDecoder.decode(pair.substring("state=".length()), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    static String hash(String state) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(state.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
