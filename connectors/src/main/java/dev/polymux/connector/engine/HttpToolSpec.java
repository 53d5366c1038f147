package dev.polymux.connector.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code http} part of a declarative tool in a connector manifest (schema: connector-manifest.schema.json,
 * {@code $defs/httpTool}), read once from a manifest that already passed validation. {@code followRedirects} (default
 * false) lets a tool follow redirects within its connector's allowedHosts.
 */
public record HttpToolSpec(String method, String url, Map<String, String> headers, Map<String, String> query,
        JsonNode body, boolean formBody, CredentialPlacement credential, String idempotencyKeyHeader,
        List<Integer> successCodes, String responsePointer, boolean followRedirects) {

    /** Where the credential goes: an Authorization bearer, a named header or query parameter, or basic auth. */
    public record CredentialPlacement(String placement, String name, String prefix, String field) {
    }

    public static HttpToolSpec from(JsonNode http) {
        Map<String, String> headers = new LinkedHashMap<>();
        http.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
        Map<String, String> query = new LinkedHashMap<>();
        http.path("query").properties().forEach(e -> query.put(e.getKey(), e.getValue().asText()));
        List<Integer> codes = new ArrayList<>();
        http.path("successCodes").forEach(code -> codes.add(code.asInt()));
        JsonNode credential = http.path("credential");
        CredentialPlacement placement = credential.isObject()
                ? new CredentialPlacement(credential.path("placement").asText(), text(credential, "name"),
                        credential.path("prefix").asText(""), text(credential, "field"))
                : null;
        return new HttpToolSpec(http.path("method").asText(), http.path("url").asText(), Map.copyOf(headers),
                Map.copyOf(query), http.has("body") ? http.get("body") : null,
                "form".equals(http.path("bodyFormat").asText()), placement, text(http, "idempotencyKeyHeader"),
                codes.isEmpty() ? List.of(200, 201, 202, 204) : List.copyOf(codes),
                http.path("response").has("pointer") ? http.path("response").path("pointer").asText() : null,
                http.path("followRedirects").asBoolean(false));
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
