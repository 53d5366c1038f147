package dev.polymux.oauth.authorization.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The browser-binding cookie as browsers receive it, and what is kept of the binder. */
class BrowserBindingTest {

    @Test
    void behindTlsTheCookieIsSecureHttpOnlyLaxScopedToOauthAndLivesAsLongAsTheLink() {
        BrowserBinding binding = new BrowserBinding(true, "");
        assertEquals("polymux_oauth_0123456789abcdef=b1nd3r; Path=/oauth; Max-Age=600; HttpOnly; SameSite=Lax; Secure",
                binding.setCookie("polymux_oauth_0123456789abcdef", "b1nd3r", Duration.ofMinutes(10)));
        assertEquals("polymux_oauth_0123456789abcdef=; Path=/oauth; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
                binding.clearCookie("polymux_oauth_0123456789abcdef"));
    }

    @Test
    void onPlainHttpItIsNotSecureAndUnderAPathPrefixItFollowsThePublicBaseUrl() {
        assertEquals("n=v; Path=/oauth; Max-Age=1; HttpOnly; SameSite=Lax", new BrowserBinding(false, "").setCookie("n", "v", Duration.ofMillis(300)),
                "at least one second, never a session cookie or an immediate expiry");
        assertEquals("n=v; Path=/connect/oauth; Max-Age=59; HttpOnly; SameSite=Lax",
                new BrowserBinding(false, "/connect/").setCookie("n", "v", Duration.ofMillis(59_900)));
    }

    @Test
    void theNameComesFromTheStateHashAndOnlyAHashOfTheRandomBinderIsKept() {
        String stateHash = StateKeys.hash(StateKeys.newState());
        assertEquals("polymux_oauth_" + stateHash.substring(0, 16), BrowserBinding.cookieName(stateHash));

        String binder = BrowserBinding.newBinder();
        assertEquals(43, binder.length(), "256 bits, base64url");
        assertTrue(binder.matches("[A-Za-z0-9_-]+"), "cookie-safe");
        assertNotEquals(binder, BrowserBinding.newBinder());
        String stored = BrowserBinding.hash(binder);
        assertFalse(stored.contains(binder));
        assertTrue(BrowserBinding.matches(stored, binder));
        assertFalse(BrowserBinding.matches(stored, BrowserBinding.newBinder()), "another browser's binder");
        assertFalse(BrowserBinding.matches(stored, null), "no cookie");
        assertFalse(BrowserBinding.matches(stored, ""), "an empty cookie");
        assertFalse(BrowserBinding.matches(null, binder), "a link that was never opened");
    }
}
