package dev.polymux.oauth.support;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.mockwebserver.RecordedRequest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The platform's issuer of service identities (mock-oauth2-server): the client-credentials grant gives client
 * {@value #CLIENT_ID} a token naming it ({@code sub}), with the role {@code service}, for the services' audience,
 * that lasts {@value #TOKEN_SECONDS} seconds. The app under test gets it as its service identity, and
 * {@link VaultTrustingTheIssuer} checks the tokens against it.
 */
public class ServiceIdentityIssuer implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER_ID = "workloads";
    public static final String CLIENT_ID = "oauth-service";
    public static final int TOKEN_SECONDS = 10;
    private static MockOAuth2Server server;
    private static final AtomicInteger CLIENT_CREDENTIALS_GRANTS = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(new DefaultOAuth2TokenCallback(
                ISSUER_ID, CLIENT_ID, "JWT", List.of("polymux"), Map.of("groups", List.of("service")), TOKEN_SECONDS))));
        server.start();
        return Map.of("polymux.service-identity.token-url", server.tokenEndpointUrl(ISSUER_ID).toString(),
                "polymux.service-identity.client-id", CLIENT_ID,
                "polymux.service-identity.client-secret", "oauth-service-client-secret-for-the-test");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    public static String issuerUrl() {
        return server.issuerUrl(ISSUER_ID).toString();
    }

    /** How many client-credentials token requests the issuer has served so far. */
    public static synchronized int clientCredentialsGrants() {
        while (true) {
            RecordedRequest request;
            try {
                request = server.takeRequest(10, TimeUnit.MILLISECONDS);
            } catch (RuntimeException empty) { // mock-oauth2-server says "none within the timeout" by throwing
                return CLIENT_CREDENTIALS_GRANTS.get();
            }
            if (request == null) {
                return CLIENT_CREDENTIALS_GRANTS.get();
            }
            if (request.getPath() != null && request.getPath().endsWith("/token") && request.getBody().clone().readUtf8().contains("grant_type=client_credentials")) {
                CLIENT_CREDENTIALS_GRANTS.incrementAndGet();
            }
        }
    }
}
