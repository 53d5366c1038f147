package dev.polymux.vault.crypto.transit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A stand-in for HashiCorp Vault / OpenBao's Transit engine, answering as its documented HTTP API does
 * (developer.hashicorp.com/vault/api-docs/secret/transit): keys (read, create, rotate, config), encrypt and decrypt,
 * single or batch, with derived keys (the context selects the key) and min_decryption_version. No Vault server can be
 * installed on the build machines; this is what the Transit backend is tested against. It really encrypts
 * (AES-256-GCM per version, derived per context with HMAC-SHA256), so a wrong context or a retired version fails as
 * in Vault.
 */
public class TransitStub implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-vault-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Every request body the stub received, for tests that check what reached Vault. */
    public static final ConcurrentLinkedQueue<String> BODIES = new ConcurrentLinkedQueue<>();
    private static final Map<String, TransitKey> KEYS = new ConcurrentHashMap<>();

    private HttpServer server;

    static final class TransitKey {
        final List<byte[]> versions = new CopyOnWriteArrayList<>();
        volatile boolean derived;
        volatile int minDecryptionVersion = 1;

        int latest() {
            return versions.size();
        }
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/v1/", this::handle);
        server.start();
        return Map.of("quarkus.vault.url", "http://127.0.0.1:" + server.getAddress().getPort(),
                "quarkus.vault.authentication.client-token", TOKEN,
                "polymux.vault.kek.backend", "vault",
                "polymux.vault.kek.transit.key-name", "polymux-kek-test");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            BODIES.add(body);
            if (!TOKEN.equals(exchange.getRequestHeaders().getFirst("X-Vault-Token"))) {
                respond(exchange, 403, errors("permission denied"));
                return;
            }
            String[] path = exchange.getRequestURI().getPath().substring("/v1/".length()).split("/");
            String method = exchange.getRequestMethod();
            JsonNode request = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            if (path.length >= 3 && path[0].equals("transit") && path[1].equals("keys")) {
                keys(exchange, method, path[2], path.length > 3 ? path[3] : "", request);
            } else if (path.length == 3 && path[0].equals("transit") && method.equals("POST") && path[1].equals("encrypt")) {
                batch(exchange, path[2], request, true);
            } else if (path.length == 3 && path[0].equals("transit") && method.equals("POST") && path[1].equals("decrypt")) {
                batch(exchange, path[2], request, false);
            } else {
                respond(exchange, 404, errors("no handler for route " + method + " " + exchange.getRequestURI().getPath()));
            }
        } catch (RuntimeException e) {
            exchange.sendResponseHeaders(500, -1);
        }
    }

    private void keys(HttpExchange exchange, String method, String name, String action, JsonNode request) throws IOException {
        TransitKey key = KEYS.get(name);
        if (method.equals("GET") && action.isEmpty()) {
            if (key == null) {
                respond(exchange, 404, errors());
                return;
            }
            ObjectNode data = JSON.createObjectNode().put("name", name).put("type", "aes256-gcm96").put("derived", key.derived)
                    .put("latest_version", key.latest()).put("min_decryption_version", key.minDecryptionVersion)
                    .put("min_encryption_version", 0).put("min_available_version", 0).put("deletion_allowed", false)
                    .put("exportable", false).put("allow_plaintext_backup", false).put("supports_encryption", true)
                    .put("supports_decryption", true).put("supports_derivation", true).put("supports_signing", false)
                    .put("kdf", "hkdf_sha256");
            ObjectNode versions = data.putObject("keys");
            for (int v = key.minDecryptionVersion; v <= key.latest(); v++) {
                versions.put(String.valueOf(v), 1_700_000_000L + v);
            }
            respond(exchange, 200, JSON.createObjectNode().set("data", data));
        } else if (method.equals("POST") && action.isEmpty()) {
            KEYS.computeIfAbsent(name, n -> {
                TransitKey created = new TransitKey();
                created.derived = request.path("derived").asBoolean(false);
                created.versions.add(randomKey());
                return created;
            });
            respond(exchange, 204, null);
        } else if (key == null) {
            respond(exchange, 404, errors());
        } else if (method.equals("POST") && action.equals("rotate")) {
            key.versions.add(randomKey());
            respond(exchange, 204, null);
        } else if (method.equals("POST") && action.equals("config")) {
            int min = request.path("min_decryption_version").asInt(key.minDecryptionVersion);
            if (min > key.latest()) {
                respond(exchange, 400, errors("cannot set min decryption version above latest version"));
                return;
            }
            key.minDecryptionVersion = Math.max(key.minDecryptionVersion, min);
            respond(exchange, 204, null);
        } else {
            respond(exchange, 405, errors("unsupported operation"));
        }
    }

    /** encrypt/decrypt, single ({"plaintext"|"ciphertext", "context"}) or batch ({"batch_input": [...]}). */
    private void batch(HttpExchange exchange, String name, JsonNode request, boolean encrypt) throws IOException {
        TransitKey key = KEYS.get(name);
        if (key == null) {
            respond(exchange, 400, errors("encryption key not found"));
            return;
        }
        boolean isBatch = request.has("batch_input");
        List<JsonNode> items = new ArrayList<>();
        if (isBatch) {
            request.get("batch_input").forEach(items::add);
        } else {
            items.add(request);
        }
        ArrayNode results = JSON.createArrayNode();
        for (JsonNode item : items) {
            ObjectNode result = results.addObject();
            try {
                byte[] context = item.hasNonNull("context") ? Base64.getDecoder().decode(item.get("context").asText()) : null;
                if (key.derived && context == null) {
                    throw new GeneralSecurityException("missing 'context' for key derivation; the key was created using a derived key");
                }
                if (encrypt) {
                    byte[] plaintext = Base64.getDecoder().decode(item.path("plaintext").asText());
                    result.put("ciphertext", "vault:v" + key.latest() + ":" + Base64.getEncoder().encodeToString(
                            seal(key.versions.get(key.latest() - 1), context, plaintext)));
                    result.put("key_version", key.latest());
                } else {
                    String ciphertext = item.path("ciphertext").asText();
                    int version = Integer.parseInt(ciphertext.substring("vault:v".length(), ciphertext.indexOf(':', "vault:v".length())));
                    if (version < key.minDecryptionVersion) {
                        throw new GeneralSecurityException("ciphertext or signature version is disallowed by policy (too old)");
                    }
                    byte[] sealed = Base64.getDecoder().decode(ciphertext.substring(ciphertext.indexOf(':', "vault:v".length()) + 1));
                    result.put("plaintext", Base64.getEncoder().encodeToString(open(key.versions.get(version - 1), context, sealed)));
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                if (!isBatch) {
                    respond(exchange, 400, errors(e.getMessage() == null ? "cipher: message authentication failed" : e.getMessage()));
                    return;
                }
                result.put("error", e.getMessage() == null ? "cipher: message authentication failed" : e.getMessage());
            }
        }
        ObjectNode data = JSON.createObjectNode();
        if (isBatch) {
            data.set("batch_results", results);
        } else {
            data.setAll((ObjectNode) results.get(0));
        }
        respond(exchange, 200, JSON.createObjectNode().set("data", data));
    }

    private static byte[] seal(byte[] versionKey, byte[] context, byte[] plaintext) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, derive(versionKey, context), new GCMParameterSpec(128, nonce));
        byte[] sealed = cipher.doFinal(plaintext);
        return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
    }

    private static byte[] open(byte[] versionKey, byte[] context, byte[] sealed) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, derive(versionKey, context), new GCMParameterSpec(128, sealed, 0, 12));
        return cipher.doFinal(sealed, 12, sealed.length - 12);
    }

    private static SecretKeySpec derive(byte[] versionKey, byte[] context) throws GeneralSecurityException {
        if (context == null) {
            return new SecretKeySpec(versionKey, "AES");
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(versionKey, "HmacSHA256"));
        return new SecretKeySpec(mac.doFinal(context), "AES");
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    private static ObjectNode errors(String... messages) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode errors = body.putArray("errors");
        for (String message : messages) {
            errors.add(message);
        }
        return body;
    }

    private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
