package dev.polymux.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.json.Json;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.smallrye.jwt.build.Jwt;

/**
 * The local stack's token issuer (docs/access.md): an RSA key pair kept in the state folder, whose public key the
 * services trust, bearer tokens signed with it for trying the APIs, and a token endpoint that gives each service its
 * own token with the client-credentials grant, as the platform's issuer does in production (ServiceTokens renews it).
 *
 * <pre>
 * keys DIR                                  creates DIR/jwt-private.key and DIR/jwt-public.key unless they exist
 * mint DIR TENANT SUBJECT ROLE[,ROLE...]    prints a token valid for 12 hours (TENANT "-": none, for service tokens)
 * clients DIR NAME...                       adds NAME with a random secret to DIR/service-clients (mode 600) unless listed
 * serve DIR PORT                            answers POST http://127.0.0.1:PORT/token for the clients in DIR/service-clients
 * </pre>
 */
public final class LocalTokens {

    public static final String ISSUER = "https://polymux.local";
    /** The audience the services require (their POLYMUX_JWT_AUDIENCE default). */
    public static final String AUDIENCE = "polymux";
    /** How long a token from the endpoint lasts: short, as production's; ServiceTokens renews it ahead of its end. */
    static final int SERVICE_TOKEN_SECONDS = 600;
    /** The largest request body the endpoint reads; a client-credentials request is a few hundred bytes. */
    static final int MAX_BODY = 8 * 1024;
    static final String CLIENTS_FILE = "service-clients";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String FORM = "application/x-www-form-urlencoded";

    private LocalTokens() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && "keys".equals(args[0])) {
            keys(Path.of(args[1]));
        } else if (args.length == 5 && "mint".equals(args[0])) {
            System.out.println(mint(Path.of(args[1]), args[2], args[3], args[4].split(",")));
        } else if (args.length >= 3 && "clients".equals(args[0])) {
            clients(Path.of(args[1]), Arrays.asList(args).subList(2, args.length));
        } else if (args.length == 3 && "serve".equals(args[0])) {
            // Connections that send nothing, or a request slowly, are dropped (the JDK server's own limits).
            System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "10"));
            System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "10"));
            System.setProperty("sun.net.httpserver.idleInterval", System.getProperty("sun.net.httpserver.idleInterval", "30"));
            HttpServer server = serve(Path.of(args[1]), Integer.parseInt(args[2]));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
            log("Token endpoint on http://127.0.0.1:" + server.getAddress().getPort() + "/token for " + readClients(Path.of(args[1])).keySet());
        } else {
            System.err.println("usage: LocalTokens keys DIR | mint DIR TENANT SUBJECT ROLE[,ROLE...] | clients DIR NAME... | serve DIR PORT");
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
        Instant now = Instant.now();
        return sign(privateKey(dir), tenant, subject, now, now.plusSeconds(12 * 3600), roles);
    }

    private static String sign(PrivateKey key, String tenant, String subject, Instant issuedAt, Instant expiresAt, String... roles) {
        var claims = Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject);
        if (!"-".equals(tenant)) { // "-": a service token, which acts for no tenant
            claims.claim("tenant", tenant);
        }
        return claims.groups(new LinkedHashSet<>(Arrays.asList(roles))).issuedAt(issuedAt.getEpochSecond())
                .expiresAt(expiresAt.getEpochSecond()).jws().sign(key);
    }

    private static PrivateKey privateKey(Path dir) throws Exception {
        byte[] encoded = Base64.getDecoder().decode(Files.readString(dir.resolve("jwt-private.key")).trim());
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encoded));
    }

    // --- Service clients: DIR/service-clients, one "name secret" a line -------------------------------------------

    /** Adds each name not yet listed with a random 32-byte secret; listed ones keep theirs. The file stays mode 600. */
    static synchronized void clients(Path dir, Collection<String> names) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> clients = readClients(dir);
        boolean added = false;
        for (String name : names) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("Not a client name: " + name);
            }
            if (!clients.containsKey(name)) {
                byte[] secret = new byte[32];
                RANDOM.nextBytes(secret);
                clients.put(name, Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
                added = true;
            }
        }
        Path file = dir.resolve(CLIENTS_FILE);
        if (!added && Files.exists(file)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return;
        }
        StringBuilder text = new StringBuilder("# The local stack's service clients (LocalTokens): name secret. Made by deploy/local/up.\n");
        clients.forEach((name, secret) -> text.append(name).append(' ').append(secret).append('\n'));
        // Written private from the start, then moved over the old one: the secrets are never readable by others.
        Path temp = Files.createTempFile(dir, CLIENTS_FILE, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, text);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The listed clients, name to secret; none if there is no file. */
    static Map<String, String> readClients(Path dir) throws IOException {
        Map<String, String> clients = new LinkedHashMap<>();
        Path file = dir.resolve(CLIENTS_FILE);
        if (!Files.exists(file)) {
            return clients;
        }
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            if (fields.length == 2) {
                clients.put(fields[0], fields[1]);
            }
        }
        return clients;
    }

    // --- The token endpoint -----------------------------------------------------------------------------------

    /**
     * Starts the token endpoint on 127.0.0.1:{@code port}: {@code POST /token} with {@code grant_type=client_credentials},
     * the client authenticated by HTTP Basic (client_secret_basic, what quarkus-oidc-client sends by default) or by
     * {@code client_id} and {@code client_secret} in the form (client_secret_post). The clients file is read on every
     * request, so a client added by a later {@code up} is known without a restart.
     */
    static HttpServer serve(Path dir, int port) throws Exception {
        PrivateKey key = privateKey(dir);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 16);
        ExecutorService workers = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "token-endpoint");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(workers);
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange, dir, key);
            } catch (RuntimeException | IOException failure) {
                log("request failed: " + failure.getClass().getSimpleName()); // never the request: it may hold a secret
            }
        });
        server.start();
        return server;
    }

    /** An RFC 6749 §5.2 refusal. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String error;
        final String description;

        Refusal(int status, String error, String description) {
            super(error, null, false, false);
            this.status = status;
            this.error = error;
            this.description = description;
        }
    }

    private static void handle(HttpExchange exchange, Path dir, PrivateKey key) throws IOException {
        if (!"/token".equals(exchange.getRequestURI().getPath())) {
            exchange.getRequestBody().close();
            error(exchange, new Refusal(404, "invalid_request", "The token endpoint is /token."));
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            error(exchange, new Refusal(405, "invalid_request", "The token endpoint takes POST."));
            return;
        }
        try {
            String client = authenticate(exchange, parse(exchange), dir);
            Instant now = Instant.now();
            String token = sign(key, "-", client, now, now.plusSeconds(SERVICE_TOKEN_SECONDS), "service");
            respond(exchange, 200, Json.createObjectBuilder().add("access_token", token).add("token_type", "Bearer")
                    .add("expires_in", SERVICE_TOKEN_SECONDS).build().toString());
            log("issued a token to " + client + " for " + SERVICE_TOKEN_SECONDS + " s");
        } catch (Refusal refusal) {
            error(exchange, refusal);
            log("refused a token request: " + refusal.error + " (HTTP " + refusal.status + ")");
        }
    }

    /** The form, at most {@link #MAX_BODY} bytes, each parameter once; {@code grant_type} must be client_credentials. */
    private static Map<String, String> parse(HttpExchange exchange) throws IOException, Refusal {
        // Never more than MAX_BODY + 1 bytes read, whatever Content-Length says (or without one: chunked).
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new Refusal(413, "invalid_request", "The request is larger than " + MAX_BODY + " bytes.");
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.split(";", 2)[0].strip().equalsIgnoreCase(FORM)) {
            throw new Refusal(400, "invalid_request", "The request must be " + FORM + ".");
        }
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                throw new Refusal(400, "invalid_request", "The form is malformed.");
            }
            if (form.putIfAbsent(name, value) != null) {
                throw new Refusal(400, "invalid_request", "A parameter is repeated."); // RFC 6749 §3.2: never twice
            }
        }
        String grant = form.get("grant_type");
        if (grant == null || grant.isEmpty()) {
            throw new Refusal(400, "invalid_request", "grant_type is missing.");
        }
        if (!"client_credentials".equals(grant)) {
            throw new Refusal(400, "unsupported_grant_type", "Only the client_credentials grant is supported.");
        }
        return form;
    }

    /** The client's name, once its secret matched; one authentication method only (RFC 6749 §2.3). */
    private static String authenticate(HttpExchange exchange, Map<String, String> form, Path dir) throws IOException, Refusal {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String id;
        String secret;
        boolean basic = false;
        if (authorization != null) {
            String[] scheme = authorization.strip().split("\\s+", 2);
            if (scheme.length != 2 || !scheme[0].equalsIgnoreCase("Basic")) {
                throw invalidClient();
            }
            if (form.containsKey("client_secret")) {
                throw new Refusal(400, "invalid_request", "Use one client authentication method, not two.");
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(scheme[1].strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                throw invalidClient();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw invalidClient();
            }
            id = decoded.substring(0, colon);
            secret = decoded.substring(colon + 1);
            basic = true;
        } else {
            id = form.get("client_id");
            secret = form.get("client_secret");
            if (id == null || secret == null) {
                throw invalidClient();
            }
        }
        Map<String, String> clients = readClients(dir);
        // RFC 6749 §2.3.1 form-encodes id and secret before Base64; quarkus-oidc-client does not. Either matches.
        String name = clients.containsKey(id) || !basic ? id : formDecoded(id);
        if (basic && form.containsKey("client_id") && !form.get("client_id").equals(name)) {
            throw new Refusal(400, "invalid_request", "client_id does not match the authenticated client.");
        }
        String expected = clients.get(name);
        // Unknown clients are compared too, against a stand-in: the time taken tells nothing about which names exist.
        byte[] wanted = digest(expected != null ? expected : "\0unknown client\0");
        boolean matches = MessageDigest.isEqual(digest(secret), wanted);
        if (basic) {
            matches |= MessageDigest.isEqual(digest(formDecoded(secret)), wanted);
        }
        if (expected == null || !matches) {
            throw invalidClient();
        }
        return name;
    }

    private static Refusal invalidClient() {
        return new Refusal(401, "invalid_client", "Client authentication failed.");
    }

    private static String formDecoded(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return value;
        }
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void error(HttpExchange exchange, Refusal refusal) throws IOException {
        if (refusal.status == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"polymux-local\"");
        }
        // Only fixed texts: nothing the client sent comes back.
        respond(exchange, refusal.status, Json.createObjectBuilder().add("error", refusal.error)
                .add("error_description", refusal.description).build().toString());
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Pragma", "no-cache");
        if (status == 413) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void log(String line) {
        System.out.println(Instant.now() + " " + line);
    }
}
