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
 * A real OAuth2 authorization server in process (mock-oauth2-server) with its interactive login page (any user name
 * signs in): the provider of the test's authorization-code connector {@link OAuthForTheConsole#CONNECTOR}.
 */
public class AuthorizationServerForTheConsole implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "console-acme";
    private static MockOAuth2Server server;

    @Override
    public Map<String, String> start() {
        server = new MockOAuth2Server(new OAuth2Config(true, null, null, false, new OAuth2TokenProvider(),
                Set.of(new DefaultOAuth2TokenCallback(ISSUER, "installer", "JWT", List.of("acme-api"), Map.of(), 600))));
        server.start();
        return Map.of();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    public static String authorizationUrl() {
        return server.authorizationEndpointUrl(ISSUER).toString();
    }

    public static String tokenUrl() {
        return server.tokenEndpointUrl(ISSUER).toString();
    }
}
