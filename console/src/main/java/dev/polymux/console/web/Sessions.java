package dev.polymux.console.web;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.signin.service.OidcSignIn;
import dev.polymux.console.signin.service.SessionStore;

/** The session cookie and what pages need of it: the live session, or a trip to the sign-in page; the csrf check. */
@ApplicationScoped
public class Sessions {

    /**
     * __Host-: the browser takes it only Secure, for Path=/ and without a Domain, so a sibling subdomain cannot set one
     * of its own (session fixation by cookie tossing). Browsers count http://localhost as secure too.
     */
    public static final String COOKIE = "__Host-polymux_console";

    private final SessionStore store;
    private final OidcSignIn oidc;

    public Sessions(SessionStore store, OidcSignIn oidc) {
        this.store = store;
        this.oidc = oidc;
    }

    /** The live session of the cookie, its access token renewed first if it is about to end; or {@link SignInRequired}. */
    public ConsoleSession require(String cookie) {
        ConsoleSession session = store.find(cookie).orElseThrow(SignInRequired::new);
        if (!oidc.due(session)) {
            return session;
        }
        return store.renew(session.id(), oidc::due, oidc::renew).orElseThrow(SignInRequired::new);
    }

    /** A POST of a session's form: its csrf value must be the session's. */
    public ConsoleSession requireForm(String cookie, String csrf) {
        ConsoleSession session = require(cookie);
        if (!SessionStore.csrfMatches(session, csrf)) {
            throw new FormRefused("This form is out of date or did not come from the console; reload the page and try again.");
        }
        return session;
    }

    /** The Set-Cookie value of a session: opaque id, HttpOnly, SameSite=Strict, Path=/, Secure. */
    public String cookie(ConsoleSession session) {
        long maxAge = Math.max(0, session.expiresAt().getEpochSecond() - Instant.now().getEpochSecond());
        return header(session.id(), maxAge);
    }

    /** The Set-Cookie value that deletes the session cookie. */
    public String deleted() {
        return header("", 0);
    }

    private String header(String value, long maxAge) {
        // Written out rather than NewCookie, whose RFC 2109 form adds "Version=1" and no SameSite on some paths.
        return COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict; Secure";
    }

    public void signOut(String cookie) {
        store.remove(cookie);
    }
}
