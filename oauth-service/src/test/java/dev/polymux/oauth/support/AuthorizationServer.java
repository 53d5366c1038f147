package dev.polymux.oauth.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.mockwebserver.RecordedRequest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real OAuth2/OIDC authorization server in process (mock-oauth2-server): authorization code with PKCE, refresh with
 * rotated refresh tokens, 20-second access tokens for the issuer {@value #ISSUER}. Every request it serves is
 * recorded, so tests count token-endpoint calls at the server.
 */
public class AuthorizationServer implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "acme";
    public static final long ACCESS_TOKEN_SECONDS = 20;

    private static MockOAuth2Server server;
    private static final List<RecordedRequest> SEEN = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, true, new OAuth2TokenProvider(),
                Set.of(new DefaultOAuth2TokenCallback(ISSUER, "installer", "JWT", List.of("acme-api"), Map.of(), ACCESS_TOKEN_SECONDS))));
        server.start();
        return Map.of();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    public static MockOAuth2Server server() {
        return server;
    }

    /** Every token-endpoint request with grant_type=refresh_token since the server started, in order. */
    public static synchronized List<String> refreshRequestBodies() {
        drain();
        return SEEN.stream().filter(r -> r.getPath() != null && r.getPath().endsWith("/token"))
                .map(r -> r.getBody().clone().readUtf8()).filter(body -> body.contains("grant_type=refresh_token")).toList();
    }

    /** The Authorization header of every token-endpoint request since the server started, in order (client authentication). */
    public static synchronized List<String> tokenRequestAuthorizations() {
        drain();
        return SEEN.stream().filter(r -> r.getPath() != null && r.getPath().endsWith("/token"))
                .map(r -> String.valueOf(r.getHeader("Authorization"))).toList();
    }

    private static void drain() {
        while (true) {
            try {
                RecordedRequest request = server.takeRequest(10, TimeUnit.MILLISECONDS);
                if (request == null) {
                    return;
                }
                SEEN.add(request);
            } catch (RuntimeException empty) {
                return; // mock-oauth2-server says "no request found in queue within timeout" by throwing
            }
        }
    }

    /** A manifest of an oauth connector against this server, as the registry pins it into installation events. */
    public static String manifest(String connectorId) {
        return """
                {"id":"%s","version":"1.0.0","label":"Acme","kind":"oauth",
                 "auth":{"authorizationUrl":"%s","tokenUrl":"%s","scopes":["openid","read"],"defaultScopes":["openid"],
                   "pkce":true,"refreshWindow":"PT8S","brokenGrantMessage":"Access to Acme was revoked; reconnect the connection."},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(connectorId, server.authorizationEndpointUrl(ISSUER), server.tokenEndpointUrl(ISSUER));
    }
}
