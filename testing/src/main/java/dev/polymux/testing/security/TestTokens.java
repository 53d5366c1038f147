package dev.polymux.testing.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;

/**
 * Real RS256 bearer tokens for tests, signed with a key pair generated once per test JVM (no key is committed).
 * As a test resource it gives the app under test the public key and issuer; {@link #bearer} mints tokens.
 */
public class TestTokens implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://issuer.polymux.test";
    /** The audience every service requires (POLYMUX_JWT_AUDIENCE's default). */
    public static final String AUDIENCE = "polymux";
    private static final KeyPair KEYS = generate();

    /** Init arg naming the app under test when it calls other services: it gets a service token as that service. */
    public static final String SERVICE_NAME = "service-name";

    private String serviceName;

    @Override
    public void init(Map<String, String> initArgs) {
        serviceName = initArgs.get(SERVICE_NAME);
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "quarkus.oidc.public-key", publicKey(),
                "quarkus.oidc.token.issuer", ISSUER,
                "quarkus.oidc.token.audience", AUDIENCE));
        if (serviceName != null) {
            config.put("polymux.service-token", service(serviceName, 24 * 3600).substring("Bearer ".length()));
        }
        return config;
    }

    /** The public key (base64 X.509) that verifies every token minted here; child services started by tests get it too. */
    public static String publicKey() {
        return Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
    }

    @Override
    public void stop() {
        // nothing to stop: the keys live as long as the JVM
    }

    /** "Bearer ..." for a subject of a tenant with the given roles, valid for 5 minutes. */
    public static String bearer(String tenant, String subject, String... roles) {
        return "Bearer " + Jwt.issuer(ISSUER).audience(AUDIENCE)
                .subject(subject)
                .claim("tenant", tenant)
                .groups(Set.of(roles))
                .expiresIn(300)
                .jws().keyId("test")
                .sign(KEYS.getPrivate());
    }

    /** "Bearer ..." for a Polymux service calling internal gRPC (role service, subject the service's name, no tenant). */
    public static String service(String serviceName) {
        return service(serviceName, 300);
    }

    public static String service(String serviceName, long validSeconds) {
        return "Bearer " + Jwt.issuer(ISSUER).audience(AUDIENCE).subject(serviceName).groups(Set.of("service")).expiresIn(validSeconds)
                .jws().keyId("test").sign(KEYS.getPrivate());
    }

    /** A token signed by a key the app does not trust. */
    public static String bearerFromAStranger(String tenant, String subject, String... roles) {
        return "Bearer " + Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).claim("tenant", tenant).groups(Set.of(roles)).expiresIn(300)
                .jws().sign(generate().getPrivate());
    }

    /**
     * A token the trusted key signed for another application of the same issuer ({@code aud}), or for none: what
     * an identity provider issues to its other clients. Services refuse it.
     */
    public static String bearerForAudience(String audience, String tenant, String subject, String... roles) {
        var claims = Jwt.issuer(ISSUER).subject(subject).claim("tenant", tenant).groups(Set.of(roles)).expiresIn(300);
        if (audience != null) {
            claims.audience(audience);
        }
        return "Bearer " + claims.jws().keyId("test").sign(KEYS.getPrivate());
    }

    /** A token the trusted key signed with another issuer ({@code iss}). Services refuse it. */
    public static String bearerFromIssuer(String issuer, String tenant, String subject, String... roles) {
        return "Bearer " + Jwt.issuer(issuer).audience(AUDIENCE).subject(subject).claim("tenant", tenant).groups(Set.of(roles)).expiresIn(300)
                .jws().keyId("test").sign(KEYS.getPrivate());
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
