package dev.polymux.connector.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code auth} part of an oauth connector manifest ({@code $defs/oauthAuth}), with the schema's defaults
 * applied. Read from a manifest that already passed validation.
 */
public record OAuthSettings(String connectorId, String connectorVersion, String label, String authorizationUrl,
        String tokenUrl, String discoveryUrl, String issuer, boolean clientCredentialsGrant, List<String> scopes,
        List<String> defaultScopes, String scopeSeparator, boolean pkce, boolean basicClientAuthentication,
        Map<String, String> authorizeParams, Map<String, String> tokenParams, Map<String, String> refreshParams,
        Duration defaultTokenLifetime, Duration refreshWindow, boolean keepRefreshTokenWhenMissing,
        String brokenGrantMessage) {

    public static OAuthSettings from(JsonNode manifest) {
        JsonNode auth = manifest.path("auth");
        String label = manifest.path("label").asText();
        return new OAuthSettings(manifest.path("id").asText(), manifest.path("version").asText(), label,
                text(auth, "authorizationUrl"), text(auth, "tokenUrl"), text(auth, "discoveryUrl"), text(auth, "issuer"),
                "client_credentials".equals(auth.path("grantType").asText()), strings(auth.path("scopes")),
                strings(auth.path("defaultScopes")), auth.path("scopeSeparator").asText(" "),
                auth.path("pkce").asBoolean(true), !"post".equals(auth.path("clientAuthentication").asText()),
                params(auth.path("authorizeParams")), params(auth.path("tokenParams")), params(auth.path("refreshParams")),
                Duration.parse(auth.path("defaultTokenLifetime").asText("PT1H")),
                Duration.parse(auth.path("refreshWindow").asText("PT5M")),
                auth.path("keepRefreshTokenWhenMissing").asBoolean(true),
                auth.path("brokenGrantMessage").asText("Access to " + label + " was revoked or expired; reconnect the connection."));
    }

    /** Identifies this connector version, e.g. for caching its token client. */
    public String key() {
        return connectorId + "@" + connectorVersion;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return List.copyOf(values);
    }

    private static Map<String, String> params(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        object.properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
        return Map.copyOf(values);
    }
}
