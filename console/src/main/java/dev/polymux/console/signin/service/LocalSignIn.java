package dev.polymux.console.signin.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.polymux.console.config.ConsoleConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.jwt.build.Jwt;

/**
 * The local stack's sign-in: whoever reaches the page picks a tenant, a subject and roles, and gets a token signed
 * with the stack's own key, with the claims deploy/local/token mints (LocalTokens). Anyone can be anyone, so it
 * exists only in the local, dev and test profiles: configured in another, the console does not start.
 */
@ApplicationScoped
public class LocalSignIn {

    /** The profiles in which local sign-in may be switched on. */
    static final Set<String> PROFILES = Set.of("local", "dev", "test");
    /** The roles a person may hold (commons Roles, without "service", which is never a person's). */
    public static final List<String> ROLES = List.of("author", "reviewer", "installer", "admin");
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._@+-]{1,200}");
    private static final Logger LOG = Logger.getLogger(LocalSignIn.class);

    private final ConsoleConfig config;
    private final SessionStore sessions;
    private volatile PrivateKey key;

    @Inject
    public LocalSignIn(ConsoleConfig config, SessionStore sessions) {
        this.config = config;
        this.sessions = sessions;
    }

    void onStart(@Observes StartupEvent start) {
        if (config.signIn() != ConsoleConfig.SignInMode.LOCAL) {
            return;
        }
        requireAllowed(ConfigUtils.getProfiles());
        Path file = config.local().signingKeyFile().orElseThrow(() -> new IllegalStateException(
                "polymux.console.sign-in=local needs polymux.console.local.signing-key-file (deploy/local/up writes .polymux/local/keys/jwt-private.key)"));
        key = readKey(file);
        LOG.infof("Local sign-in is on (profile %s): tokens signed with %s, issuer %s", ConfigUtils.getProfiles(), file, config.local().issuer());
    }

    /** Refuses local sign-in unless one of the active profiles allows it. */
    static void requireAllowed(List<String> activeProfiles) {
        if (!allowedIn(activeProfiles)) {
            throw new IllegalStateException("polymux.console.sign-in=local lets anyone sign in as anyone: it is refused in profile(s) "
                    + activeProfiles + "; only " + PROFILES.stream().sorted().toList() + " allow it (on the local stack: QUARKUS_PROFILE=local). Production sign-in (OIDC) is a later slice of the console.");
        }
    }

    static boolean allowedIn(List<String> activeProfiles) {
        return activeProfiles.stream().anyMatch(PROFILES::contains);
    }

    /** Whether the local sign-in page is served: configured, and in a profile that allows it. */
    public boolean enabled() {
        return config.signIn() == ConsoleConfig.SignInMode.LOCAL && allowedIn(ConfigUtils.getProfiles()) && key != null;
    }

    /** What is wrong with a sign-in form, as a sentence, or null. */
    public static String problem(String tenant, String subject, List<String> roles) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            return "The tenant is lower-case letters, digits and '-', up to 63 characters.";
        }
        if (subject == null || !SUBJECT.matcher(subject).matches()) {
            return "The subject is up to 200 letters, digits and . _ @ + -.";
        }
        if (roles == null || roles.isEmpty()) {
            return "Pick at least one role.";
        }
        if (!ROLES.containsAll(roles)) {
            return "Pick roles among " + String.join(", ", ROLES) + ".";
        }
        return null;
    }

    /** Mints the person's token and opens their session. */
    public ConsoleSession signIn(String tenant, String subject, List<String> roles) {
        if (!enabled()) {
            throw new IllegalStateException("local sign-in is not enabled");
        }
        Instant expiresAt = Instant.now().plus(config.local().tokenLifetime());
        Set<String> groups = new LinkedHashSet<>(roles);
        String token = Jwt.issuer(config.local().issuer()).audience(config.local().audience()).subject(subject).claim("tenant", tenant).groups(groups)
                .expiresAt(expiresAt.getEpochSecond()).jws().sign(key);
        return sessions.create(token, tenant, subject, groups, expiresAt);
    }

    private static PrivateKey readKey(Path file) {
        try {
            byte[] encoded = Base64.getDecoder().decode(Files.readString(file).trim());
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encoded));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the local signing key " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("The local signing key " + file + " is not a base64 PKCS8 RSA private key", e);
        }
    }
}
