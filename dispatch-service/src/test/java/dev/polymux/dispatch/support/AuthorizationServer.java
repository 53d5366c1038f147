package dev.polymux.dispatch.support;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.mockwebserver.RecordedRequest;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real OAuth2 authorization server in process (mock-oauth2-server) issuing signed JWT access tokens: for the
 * client-credentials grant of the test's oauth connector ({@value #ISSUER}, 10-minute tokens), and, with refresh-token
 * rotation, for authorization-code connectors with short-lived access tokens ({@value #FIVE_SECOND_ISSUER},
 * {@value #MINUTE_ISSUER}). The provider stub accepts exactly the tokens it issued while they are valid. Every request
 * it serves is recorded, so tests count token-endpoint calls at the server.
 */
public class AuthorizationServer implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "acme";
    /** An issuer whose access tokens live 5 seconds. */
    public static final String FIVE_SECOND_ISSUER = "acme-5s";
    /** An issuer whose access tokens live 60 seconds. */
    public static final String MINUTE_ISSUER = "acme-60s";

    private static MockOAuth2Server server;
    private static final List<RecordedRequest> SEEN = new ArrayList<>();
    private static final Map<String, JWKSet> KEYS = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, true, new OAuth2TokenProvider(),
                Set.of(new DefaultOAuth2TokenCallback(ISSUER, "polymux-dispatch-test", "JWT", List.of("acme-api"), Map.of(), 600),
                        new DefaultOAuth2TokenCallback(FIVE_SECOND_ISSUER, "installer", "JWT", List.of("acme-api"), Map.of(), 5),
                        new DefaultOAuth2TokenCallback(MINUTE_ISSUER, "installer", "JWT", List.of("acme-api"), Map.of(), 60))));
        server.start();
        return Map.of();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
        }
        synchronized (AuthorizationServer.class) {
            SEEN.clear();
        }
        KEYS.clear();
    }

    public static String tokenUrl() {
        return tokenUrl(ISSUER);
    }

    public static String tokenUrl(String issuer) {
        return server.tokenEndpointUrl(issuer).toString();
    }

    public static String authorizationUrl(String issuer) {
        return server.authorizationEndpointUrl(issuer).toString();
    }

    /** Whether the provider should accept this bearer token now: signed by this server, for this issuer, not expired. */
    public static boolean issued(String accessToken) {
        return validAt(accessToken, ISSUER, Instant.now());
    }

    /**
     * Whether {@code accessToken} was valid at {@code at}: a JWT signed with {@code issuer}'s key (its JWKS), issued by
     * it, and not expired then (RFC 7519: not on or after {@code exp}).
     */
    public static boolean validAt(String accessToken, String issuer, Instant at) {
        try {
            SignedJWT jwt = SignedJWT.parse(accessToken);
            JWKSet keys = KEYS.computeIfAbsent(issuer, id -> {
                try {
                    return JWKSet.load(server.jwksUrl(id).url());
                } catch (Exception e) {
                    throw new IllegalStateException("the JWKS of " + id + " could not be read", e);
                }
            });
            RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
            Date expires = jwt.getJWTClaimsSet().getExpirationTime();
            return key != null && jwt.verify(new RSASSAVerifier(key))
                    && server.issuerUrl(issuer).toString().equals(jwt.getJWTClaimsSet().getIssuer())
                    && expires != null && Date.from(at).before(expires);
        } catch (Exception notOurs) {
            return false;
        }
    }

    /**
     * The {@code refresh_token} of every refresh request ({@code grant_type=refresh_token}) that reached {@code issuer}'s
     * token endpoint since the server started, in order. Values for counting, never for printing.
     */
    public static synchronized List<String> refreshTokensPresented(String issuer) {
        drain();
        String path = "/" + issuer + "/token";
        List<String> presented = new ArrayList<>();
        for (RecordedRequest request : SEEN) {
            if (request.getPath() == null || !request.getPath().startsWith(path)) {
                continue;
            }
            Map<String, String> form = form(request.getBody().clone().readUtf8());
            if ("refresh_token".equals(form.get("grant_type"))) {
                presented.add(form.getOrDefault("refresh_token", ""));
            }
        }
        return presented;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
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
}
