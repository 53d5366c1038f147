package dev.polymux.dispatch.support;

import java.util.List;
import java.util.Map;
import java.util.Set;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real OAuth2 authorization server in process (mock-oauth2-server) issuing signed JWT access tokens for the
 * client-credentials grant of the test's oauth connector. The provider stub accepts exactly the tokens it issued.
 */
public class AuthorizationServer implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "acme";

    private static MockOAuth2Server server;

    @Override
    public Map<String, String> start() {
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, true, new OAuth2TokenProvider(),
                Set.of(new DefaultOAuth2TokenCallback(ISSUER, "polymux-dispatch-test", "JWT", List.of("acme-api"), Map.of(), 600))));
        server.start();
        return Map.of();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    public static String tokenUrl() {
        return server.tokenEndpointUrl(ISSUER).toString();
    }

    /** Whether the provider should accept this bearer token: signed by this server, for this issuer, not expired. */
    public static boolean issued(String accessToken) {
        try {
            com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(accessToken);
            com.nimbusds.jose.jwk.RSAKey key = (com.nimbusds.jose.jwk.RSAKey) com.nimbusds.jose.jwk.JWKSet
                    .load(server.jwksUrl(ISSUER).url()).getKeyByKeyId(jwt.getHeader().getKeyID());
            return key != null && jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(key))
                    && jwt.getJWTClaimsSet().getExpirationTime().after(new java.util.Date());
        } catch (Exception notOurs) {
            return false;
        }
    }
}
