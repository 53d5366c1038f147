package dev.polymux.console.signin.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;

import dev.polymux.console.config.ConsoleConfig.SignInMode;
import io.smallrye.jwt.build.Jwt;

/** What an issuer's access token must carry to sign someone in, and the settings OIDC sign-in needs. */
class OidcSignInClaimsTest {

    private static final PrivateKey KEY = key();

    @Test
    void aTokenNamesThePersonTheirTenantAndOnlyAPersonsRoles() {
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        String token = Jwt.subject("olivia").claim("tenant", "initech").groups(Set.of("author", "service", "superuser")).expiresAt(exp)
                .sign(KEY);
        OidcSignIn.Person person = OidcSignIn.person(token);
        assertEquals("olivia", person.subject());
        assertEquals("initech", person.tenant());
        assertEquals(Set.of("author"), person.roles(), "service is never a person's role, and unknown roles are not tabs");
        assertEquals(exp, person.expiresAt().getEpochSecond());
    }

    @Test
    void aTokenWithoutATenantOrWithAMalformedOneSignsNobodyIn() {
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        for (String token : List.of(Jwt.subject("olivia").expiresAt(exp).sign(KEY),
                Jwt.subject("olivia").claim("tenant", "Initech/../other").expiresAt(exp).sign(KEY),
                Jwt.subject("olivia").claim("tenant", List.of("initech")).expiresAt(exp).sign(KEY))) {
            OidcSignIn.Refused refused = assertThrows(OidcSignIn.Refused.class, () -> OidcSignIn.person(token));
            assertTrue(refused.getMessage().startsWith("Your account has no tenant"), refused.getMessage());
        }
    }

    @Test
    void aTokenThatNeverExpiresOrNamesNobodyOrIsNoJwtIsRefused() throws JoseException {
        String unexpiring = unexpiring();
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        assertTrue(assertThrows(OidcSignIn.Refused.class, () -> OidcSignIn.person(unexpiring))
                .getMessage().contains("never expires"));
        assertTrue(assertThrows(OidcSignIn.Refused.class, () -> OidcSignIn.person(Jwt.claim("tenant", "initech").expiresAt(exp).sign(KEY)))
                .getMessage().contains("names nobody"));
        assertTrue(assertThrows(OidcSignIn.Refused.class, () -> OidcSignIn.person("an-opaque-token")).getMessage().contains("not a JWT"));
    }

    @Test
    void oidcSignInNeedsTheIssuerAndTheClientAndTheIssuerAloneIsAMistake() {
        Optional<String> issuer = Optional.of("https://id.example.com/realms/polymux");
        Optional<String> client = Optional.of("polymux-console");
        assertDoesNotThrow(() -> OidcSignIn.requireConfigured(SignInMode.OIDC, issuer, client));
        assertTrue(assertThrows(IllegalStateException.class, () -> OidcSignIn.requireConfigured(SignInMode.OIDC, Optional.empty(), client))
                .getMessage().contains("QUARKUS_OIDC_AUTH_SERVER_URL"));
        assertTrue(assertThrows(IllegalStateException.class, () -> OidcSignIn.requireConfigured(SignInMode.OIDC, issuer, Optional.of(" ")))
                .getMessage().contains("QUARKUS_OIDC_CLIENT_ID"));
        assertTrue(assertThrows(IllegalStateException.class, () -> OidcSignIn.requireConfigured(SignInMode.LOCAL, issuer, client))
                .getMessage().contains("POLYMUX_CONSOLE_SIGN_IN=oidc"));
        assertDoesNotThrow(() -> OidcSignIn.requireConfigured(SignInMode.NONE, Optional.empty(), Optional.empty()));
    }

    @Test
    void shortTokensAreRenewedAtHalfTheirLifeNotOnEveryPage() {
        Instant now = Instant.parse("2026-12-04T10:00:00Z");
        assertEquals(now.plusSeconds(270), OidcSignIn.renewAt(now, now.plusSeconds(300), java.time.Duration.ofSeconds(30)));
        assertEquals(now.plusSeconds(10), OidcSignIn.renewAt(now, now.plusSeconds(20), java.time.Duration.ofSeconds(30)));
        assertEquals(now.minusSeconds(5), OidcSignIn.renewAt(now, now.minusSeconds(5), java.time.Duration.ofSeconds(30)));
    }

    @Test
    void onlyTheIssuersRefusalEndsASessionNotItsAbsence() {
        assertTrue(OidcSignIn.refusedByTheIssuer("Default OidcClient has failed to complete the refresh_token grant request:  status: 400, error message: {\"error\":\"invalid_grant\"}"));
        assertTrue(OidcSignIn.refusedByTheIssuer("x grant request:  status: 401, error message: invalid_client"));
        assertFalse(OidcSignIn.refusedByTheIssuer("x grant request:  status: 503, error message: down"));
        assertFalse(OidcSignIn.refusedByTheIssuer("OIDC Server is not available"));
        assertFalse(OidcSignIn.refusedByTheIssuer(null));
    }

    /** smallrye-jwt always adds exp: a token without one, signed with jose4j. */
    private static String unexpiring() throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload("{\"sub\":\"olivia\",\"tenant\":\"initech\"}");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKey(KEY);
        return jws.getCompactSerialization();
    }

    private static PrivateKey key() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair().getPrivate();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
