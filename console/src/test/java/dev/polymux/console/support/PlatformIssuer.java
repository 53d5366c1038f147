package dev.polymux.console.support;

import java.util.List;
import java.util.Map;
import java.util.Set;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The platform's identity provider for OIDC sign-in: a real OpenID Connect server in process (mock-oauth2-server,
 * non-interactive, so the code flow completes without a login form). Its tokens name {@link #SUBJECT} of tenant
 * {@link #TENANT} with roles author and installer, and last {@link #TOKEN_SECONDS} seconds, so a test sees the
 * console renew them. The console signs in against it (sign-in oidc) and {@link RegistryTrustingTheIssuer} checks them.
 */
public class PlatformIssuer implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER_ID = "platform";
    public static final String CLIENT_ID = "polymux-console";
    public static final String SUBJECT = "olivia";
    public static final String TENANT = "initech";
    public static final int TOKEN_SECONDS = 8;
    private static MockOAuth2Server server;

    @Override
    public Map<String, String> start() {
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(),
                Set.of(person(SUBJECT, Map.of("tenant", TENANT, "groups", List.of("author", "installer", "service"))))));
        server.start();
        return Map.of("polymux.console.sign-in", "oidc",
                "quarkus.oidc.auth-server-url", issuerUrl(),
                "quarkus.oidc.client-id", CLIENT_ID,
                "quarkus.oidc.credentials.secret", "console-client-secret-for-the-test-only");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    /**
     * Tokens for {@code subject} with {@code claims}, {@link #TOKEN_SECONDS} long, for the console's client and the
     * services' audience (polymux): the services refuse tokens without it.
     */
    public static DefaultOAuth2TokenCallback person(String subject, Map<String, Object> claims) {
        return new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", List.of(CLIENT_ID, "polymux"), claims, TOKEN_SECONDS);
    }

    public static MockOAuth2Server server() {
        return server;
    }

    public static String issuerUrl() {
        return server.issuerUrl(ISSUER_ID).toString();
    }
}
