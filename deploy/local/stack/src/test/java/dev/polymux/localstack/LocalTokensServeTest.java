package dev.polymux.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/** The local stack's token endpoint (LocalTokens serve): the client-credentials grant, as production's issuer answers it. */
class LocalTokensServeTest {

    @TempDir
    static Path dir;
    static HttpServer server;
    static URI tokenUrl;
    static String secret;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        LocalTokens.keys(dir);
        LocalTokens.clients(dir, List.of("dispatch-service", "oauth-service"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        server = LocalTokens.serve(dir, port);
        tokenUrl = URI.create("http://127.0.0.1:" + port + "/token");
        secret = LocalTokens.readClients(dir).get("dispatch-service");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void clientsFileIsPrivateWithDistinctRandomSecretsAndKeptOnSecondRun() throws Exception {
        Path file = dir.resolve("service-clients");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        var clients = LocalTokens.readClients(dir);
        assertEquals(2, clients.size());
        assertNotEquals(clients.get("dispatch-service"), clients.get("oauth-service"));
        assertEquals(32, Base64.getUrlDecoder().decode(clients.get("dispatch-service")).length);
        LocalTokens.clients(dir, List.of("dispatch-service", "oauth-service"));
        assertEquals(clients, LocalTokens.readClients(dir));
    }

    @Test
    void validClientWithBasicGetsAServiceToken() throws Exception {
        var response = post("grant_type=client_credentials", basic("dispatch-service", secret));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        JsonObject body = json(response.body());
        assertEquals("Bearer", body.getString("token_type"));
        assertEquals(600, body.getInt("expires_in"));
        JwtClaims claims = verify(body.getString("access_token"));
        assertEquals("dispatch-service", claims.getSubject());
        assertEquals("https://polymux.local", claims.getIssuer());
        assertEquals(List.of("polymux"), claims.getAudience());
        assertEquals(List.of("service"), claims.getStringListClaimValue("groups"));
        assertFalse(claims.hasClaim("tenant"));
        long life = claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue();
        assertEquals(600, life);
    }

    @Test
    void validClientWithFormFieldsGetsAServiceToken() throws Exception {
        var response = post("grant_type=client_credentials&client_id=oauth-service&client_secret="
                + URLEncoder.encode(LocalTokens.readClients(dir).get("oauth-service"), StandardCharsets.UTF_8), null);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("oauth-service", verify(json(response.body()).getString("access_token")).getSubject());
    }

    @Test
    void wrongSecretIsInvalidClientWithoutEchoingIt() throws Exception {
        String wrong = "not-the-secret-" + secret.substring(0, 8);
        var response = post("grant_type=client_credentials", basic("dispatch-service", wrong));
        assertEquals(401, response.statusCode());
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertEquals("invalid_client", json(response.body()).getString("error"));
        assertFalse(response.body().contains(wrong));
        assertFalse(response.body().contains(secret));

        var form = post("grant_type=client_credentials&client_id=dispatch-service&client_secret=" + wrong, null);
        assertEquals(401, form.statusCode());
        assertEquals("invalid_client", json(form.body()).getString("error"));
        assertFalse(form.body().contains(wrong));
    }

    @Test
    void unknownOrMissingClientIsInvalidClient() throws Exception {
        var unknown = post("grant_type=client_credentials", basic("mallory-service", secret));
        assertEquals(401, unknown.statusCode());
        assertEquals("invalid_client", json(unknown.body()).getString("error"));
        var none = post("grant_type=client_credentials", null);
        assertEquals(401, none.statusCode());
        assertEquals("invalid_client", json(none.body()).getString("error"));
    }

    @Test
    void missingOrOtherGrantTypeIs400() throws Exception {
        var missing = post("scope=x", basic("dispatch-service", secret));
        assertEquals(400, missing.statusCode());
        assertEquals("invalid_request", json(missing.body()).getString("error"));
        var other = post("grant_type=password&username=a&password=b", basic("dispatch-service", secret));
        assertEquals(400, other.statusCode());
        assertEquals("unsupported_grant_type", json(other.body()).getString("error"));
    }

    @Test
    void twoClientAuthenticationMethodsAreInvalidRequest() throws Exception {
        var both = post("grant_type=client_credentials&client_id=dispatch-service&client_secret=" + secret, basic("dispatch-service", secret));
        assertEquals(400, both.statusCode());
        assertEquals("invalid_request", json(both.body()).getString("error"));
        assertFalse(both.body().contains(secret));
    }

    @Test
    void bodyOverTheLimitIsRefused() throws Exception {
        String big = "grant_type=client_credentials&pad=" + "a".repeat(LocalTokens.MAX_BODY + 1);
        var response = post(big, basic("dispatch-service", secret));
        assertEquals(413, response.statusCode());
        assertFalse(response.body().contains("access_token"));
    }

    @Test
    void onlyPostOnTokenAndOnlyOnLoopback() throws Exception {
        var get = HTTP.send(HttpRequest.newBuilder(tokenUrl).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("127.0.0.1", server.getAddress().getAddress().getHostAddress());
    }

    private static HttpResponse<String> post(String form, String authorization) throws Exception {
        var request = HttpRequest.newBuilder(tokenUrl).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** As quarkus-oidc-client sends it for client_secret_basic: Base64(id ":" secret), not form-encoded first. */
    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonObject json(String body) {
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }

    private static JwtClaims verify(String jwt) throws Exception {
        byte[] encoded = Base64.getDecoder().decode(Files.readString(dir.resolve("jwt-public.key")).trim());
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(encoded));
        try {
            return new JwtConsumerBuilder().setVerificationKey(key).setExpectedIssuer("https://polymux.local").setExpectedAudience("polymux")
                    .setRequireExpirationTime().setRequireSubject()
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                    .build().processToClaims(jwt);
        } catch (InvalidJwtException invalid) {
            throw new AssertionError("token does not verify: " + invalid.getMessage(), invalid);
        }
    }
}
