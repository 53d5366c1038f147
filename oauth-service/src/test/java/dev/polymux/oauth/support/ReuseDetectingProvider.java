package dev.polymux.oauth.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A provider whose token endpoint is slow and detects refresh-token reuse, as Keycloak (with no reuse allowed), Okta
 * and GitHub apps do. A real OAuth2 server (mock-oauth2-server: authorization code with PKCE, short access tokens,
 * rotated refresh tokens) stands behind a front of its own for the token endpoint (JDK HttpServer on 127.0.0.1) that
 * <ul>
 * <li>holds every refresh_token request for {@link #DELAY} before answering it (code exchanges pass at once);</li>
 * <li>answers a refresh token presented a second time with 400 {@code invalid_grant} and then revokes its whole
 * chain: every later token of that grant is refused too, as reuse detection does;</li>
 * <li>records what it saw: per refresh request the SHA-256 of the refresh token presented (never the token), whether
 * it was a reuse, and the answer.</li>
 * </ul>
 * The manifest's tokenUrl points at the front, its authorizationUrl at the server.
 */
public class ReuseDetectingProvider implements QuarkusTestResourceLifecycleManager {

    /** Init arg: how long every refresh request is held (ISO-8601 duration). */
    public static final String DELAY = "delay";
    /** Init arg: the access tokens' lifetime in seconds. */
    public static final String ACCESS_TOKEN_SECONDS = "access-token-seconds";
    public static final String ISSUER = "rotating";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object LOCK = new Object();

    private static MockOAuth2Server server;
    private static HttpServer front;
    private static ExecutorService workers;
    private static HttpClient forwarder;

    private static Duration delay;

    /** Every refresh request, in order of arrival. */
    private static final List<Refresh> REFRESHES = new ArrayList<>();
    /** Hashes of every refresh token ever presented. */
    private static final Set<String> PRESENTED = new HashSet<>();
    /** Which grant (chain of rotated refresh tokens) each issued refresh token belongs to, by hash. */
    private static final Map<String, Integer> CHAIN_OF = new HashMap<>();
    /** The newest refresh token issued per chain, by hash. */
    private static final Map<Integer, String> LATEST = new HashMap<>();
    private static final Set<Integer> REVOKED = new HashSet<>();
    private static final AtomicInteger CHAINS = new AtomicInteger();
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();

    /** One refresh request: the hash of the refresh token presented, whether it was presented before, the answer. */
    public static final class Refresh {
        private final String tokenHash;
        private final boolean reuse;
        private volatile int status;

        Refresh(String tokenHash, boolean reuse) {
            this.tokenHash = tokenHash;
            this.reuse = reuse;
        }

        public String tokenHash() {
            return tokenHash;
        }

        public boolean reuse() {
            return reuse;
        }

        /** The HTTP status it was answered with; 0 while it is held. */
        public int status() {
            return status;
        }
    }

    private Map<String, String> args = Map.of();

    @Override
    public void init(Map<String, String> initArgs) {
        args = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        delay = Duration.parse(args.getOrDefault(DELAY, "PT5S"));
        long accessTokenSeconds = Long.parseLong(args.getOrDefault(ACCESS_TOKEN_SECONDS, "12"));
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, true, new OAuth2TokenProvider(),
                Set.of(new DefaultOAuth2TokenCallback(ISSUER, "installer", "JWT", List.of("acme-api"), Map.of(), accessTokenSeconds))));
        server.start();
        forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        workers = Executors.newVirtualThreadPerTaskExecutor(); // the default executor would serve one request at a time
        try {
            front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the token endpoint's front", e);
        }
        front.setExecutor(workers);
        front.createContext("/token", ReuseDetectingProvider::token);
        front.start();
        return Map.of();
    }

    @Override
    public void stop() {
        if (front != null) {
            front.stop(0);
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        if (server != null) {
            server.shutdown();
        }
    }

    /** A manifest of an oauth connector against this provider, as the registry pins it into installation events. */
    public static String manifest(String connectorId) {
        return """
                {"id":"%s","version":"1.0.0","label":"Acme","kind":"oauth",
                 "auth":{"authorizationUrl":"%s","tokenUrl":"%s","scopes":["openid","read"],"defaultScopes":["openid"],
                   "pkce":true,"refreshWindow":"PT8S","brokenGrantMessage":"Access to Acme was revoked; reconnect the connection."},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(connectorId, server.authorizationEndpointUrl(ISSUER), tokenUrl());
    }

    public static String tokenUrl() {
        return "http://127.0.0.1:" + front.getAddress().getPort() + "/token";
    }

    /** Every refresh request so far, in order of arrival. */
    public static List<Refresh> refreshes() {
        synchronized (LOCK) {
            return List.copyOf(REFRESHES);
        }
    }

    /** Refresh requests answered with a new token set: completed rotations. */
    public static long rotations() {
        return refreshes().stream().filter(r -> r.status() == 200).count();
    }

    /** Refresh requests arrived and not answered yet. */
    public static int inFlight() {
        return IN_FLIGHT.get();
    }

    /** The SHA-256 of the newest refresh token issued in a chain (see {@link #chains()}), or null. */
    public static String latestIssuedHash(int chain) {
        synchronized (LOCK) {
            return LATEST.get(chain);
        }
    }

    /** The chains (grants) this provider issued, one per code exchange, numbered from 1. */
    public static int chains() {
        return CHAINS.get();
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "{\"error\":\"invalid_request\"}");
            } else if ("refresh_token".equals(form.get("grant_type"))) {
                refresh(exchange, body, form.getOrDefault("refresh_token", ""));
            } else {
                Answer answer = forward(exchange, body);
                if (answer.status() == 200) {
                    String issued = refreshTokenIn(answer.body());
                    if (issued != null) {
                        int chain = CHAINS.incrementAndGet();
                        synchronized (LOCK) {
                            CHAIN_OF.put(hash(issued), chain);
                            LATEST.put(chain, hash(issued));
                        }
                    }
                }
                answer(exchange, answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void refresh(HttpExchange exchange, byte[] body, String refreshToken) throws IOException, InterruptedException {
        String presented = hash(refreshToken);
        Refresh request;
        Integer chain;
        boolean refused;
        synchronized (LOCK) {
            boolean reuse = !PRESENTED.add(presented);
            chain = CHAIN_OF.get(presented);
            if (reuse && chain != null) {
                REVOKED.add(chain); // reuse detection: the whole grant is revoked, its newest token included
            }
            refused = reuse || chain == null || REVOKED.contains(chain);
            request = new Refresh(presented, reuse);
            REFRESHES.add(request);
        }
        IN_FLIGHT.incrementAndGet();
        try {
            Thread.sleep(delay.toMillis());
            Answer answer;
            if (refused) {
                answer = new Answer(400, "application/json",
                        "{\"error\":\"invalid_grant\",\"error_description\":\"Refresh token is invalid or was already used.\"}");
            } else {
                answer = forward(exchange, body);
                String issued = answer.status() == 200 ? refreshTokenIn(answer.body()) : null;
                synchronized (LOCK) {
                    if (issued != null && !REVOKED.contains(chain)) {
                        CHAIN_OF.put(hash(issued), chain);
                        LATEST.put(chain, hash(issued));
                    } else if (issued != null) {
                        // Reuse was detected while this request was held: the grant is revoked, this answer too.
                        answer = new Answer(400, "application/json", "{\"error\":\"invalid_grant\"}");
                    }
                }
            }
            request.status = answer.status();
            answer(exchange, answer);
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    private static Answer forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.tokenEndpointUrl(ISSUER).toString()))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (String header : List.of("Content-Type", "Authorization", "Accept")) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        HttpResponse<String> response = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse("application/json"), response.body());
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        answer(exchange, new Answer(status, "application/json", json));
    }

    private static void answer(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", answer.contentType());
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String refreshTokenIn(String json) {
        try {
            JsonNode token = JSON.readTree(json).get("refresh_token");
            return token == null || token.isNull() ? null : token.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }
}
