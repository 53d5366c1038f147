package dev.polymux.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;

import io.smallrye.jwt.build.Jwt;

/**
 * The local stack's token issuer (docs/access.md): an RSA key pair kept in the state folder, whose public key the
 * services trust, and bearer tokens signed with it for trying the APIs.
 *
 * <pre>
 * keys DIR                                  creates DIR/jwt-private.key and DIR/jwt-public.key unless they exist
 * mint DIR TENANT SUBJECT ROLE[,ROLE...]    prints a token valid for 12 hours (TENANT "-": none, for service tokens)
 * </pre>
 */
public final class LocalTokens {

    public static final String ISSUER = "https://polymux.local";
    /** The audience the services require (their POLYMUX_JWT_AUDIENCE default). */
    public static final String AUDIENCE = "polymux";

    private LocalTokens() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && "keys".equals(args[0])) {
            keys(Path.of(args[1]));
        } else if (args.length == 5 && "mint".equals(args[0])) {
            System.out.println(mint(Path.of(args[1]), args[2], args[3], args[4].split(",")));
        } else {
            System.err.println("usage: LocalTokens keys DIR | mint DIR TENANT SUBJECT ROLE[,ROLE...]");
            System.exit(2);
        }
    }

    static void keys(Path dir) throws Exception {
        Path privateKey = dir.resolve("jwt-private.key");
        if (Files.exists(privateKey)) {
            return;
        }
        Files.createDirectories(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        Files.writeString(privateKey, Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()));
        Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("jwt-public.key"), Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
    }

    static String mint(Path dir, String tenant, String subject, String... roles) throws Exception {
        byte[] encoded = Base64.getDecoder().decode(Files.readString(dir.resolve("jwt-private.key")).trim());
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encoded));
        var claims = Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject);
        if (!"-".equals(tenant)) { // "-": a service token, which acts for no tenant
            claims.claim("tenant", tenant);
        }
        return claims.groups(new LinkedHashSet<>(Arrays.asList(roles))).expiresIn(12 * 3600).jws().sign(key);
    }
}
