package dev.polymux.console.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;

/**
 * The test stand-in for the local stack's key files (deploy/local/up, LocalTokens): a key pair generated once per
 * test JVM, its private half written as jwt-private.key (PKCS8, base64) for the console's local sign-in, its public
 * half given to the services the tests run ({@link RegistryForTheConsole}). Without a registry child, the rest
 * client points at a closed port (test application.properties): a page that needs it shows its "cannot be reached" sentence.
 */
public class LocalSigningKey implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://polymux.local";
    private static final KeyPair KEYS = generate();

    @Override
    public Map<String, String> start() {
        return Map.of("polymux.console.sign-in", "local",
                "polymux.console.local.signing-key-file", privateKeyFile().toString(),
                "polymux.console.local.issuer", ISSUER);
    }

    @Override
    public void stop() {
        // the key lives as long as the JVM
    }

    public static synchronized Path privateKeyFile() {
        Path file = Path.of("target", "console-test-keys", "jwt-private.key").toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(KEYS.getPrivate().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** base64 X.509, as QUARKUS_OIDC_PUBLIC_KEY takes it. */
    public static String publicKey() {
        return Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
    }

    public static RSAPublicKey rsaPublicKey() {
        return (RSAPublicKey) KEYS.getPublic();
    }

    /** A bearer token as the console's local sign-in mints it, for a test's own calls to the children (seeding). */
    public static String bearer(String tenant, String subject, String... roles) {
        return "Bearer " + Jwt.issuer(ISSUER).audience("polymux").subject(subject).claim("tenant", tenant).groups(Set.of(roles)).expiresIn(600)
                .jws().sign(KEYS.getPrivate());
    }

    /** A service's own token (no tenant, role service), as deploy/local/up mints POLYMUX_SERVICE_TOKEN; without "Bearer ". */
    public static String serviceToken(String serviceName) {
        return Jwt.issuer(ISSUER).audience("polymux").subject(serviceName).groups(Set.of("service")).expiresIn(24 * 3600).jws().sign(KEYS.getPrivate());
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
