package dev.polymux.connector.engine;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the built-in {@code polymux.http_request} action may send a connection's credential, and how it is placed:
 * from an inline vault entry's {@code request} block, from a vault connector's {@code auth.request} (or the placement
 * its declarative tools share), or, for an OAuth connector, its access token as a bearer. The hosts are always the
 * reviewed ones (the entry's or the connector's {@code allowedHosts}), never the workflow's.
 */
public record RequestTarget(String label, List<String> allowedHosts, URI baseUrl, List<Placement> credential) {

    public static final String ACTION = "polymux.http_request";
    /** What a basic placement's {@code username} and {@code password} are when the block does not write them. */
    public static final String DEFAULT_USERNAME = "{username}";
    public static final String DEFAULT_PASSWORD = "{password}";

    /**
     * One place a credential goes. {@code value}, {@code username} and {@code password} are templates over the stored
     * fields ({@code "{access_key}"}); an OAuth access token replaces whatever the template says.
     */
    public record Placement(String placement, String name, String prefix, String value, String username, String password) {
    }

    public RequestTarget {
        allowedHosts = allowedHosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList();
        credential = List.copyOf(credential);
    }

    /** An inline vault entry's {@code request} block; empty when the entry has none. */
    public static Optional<RequestTarget> ofEntry(JsonNode entry) {
        JsonNode request = entry.path("request");
        if (!request.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new RequestTarget(entry.path("label").asText(entry.path("key").asText()), texts(request.path("allowedHosts")),
                baseUrl(request, request.path("allowedHosts")), placements(request.path("credential"), entry.path("shape"))));
    }

    /**
     * A connector's: an OAuth connector's token as a bearer; a vault connector's {@code auth.request}, else the one
     * placement all its declarative tools use. Empty for integration connectors and for vault connectors whose tools
     * disagree (and have no {@code auth.request}).
     */
    public static Optional<RequestTarget> ofConnector(JsonNode manifest) {
        String kind = manifest.path("kind").asText();
        String label = manifest.path("label").asText(manifest.path("id").asText());
        List<String> hosts = texts(manifest.path("allowedHosts"));
        JsonNode request = manifest.path("auth").path("request");
        URI base = baseUrl(request, manifest.path("allowedHosts"));
        if ("oauth".equals(kind)) {
            return Optional.of(new RequestTarget(label, hosts, base, List.of(new Placement("bearer", null, "", null, null, null))));
        }
        if (!"vault".equals(kind)) {
            return Optional.empty();
        }
        JsonNode shape = manifest.path("auth").path("shape");
        if (request.path("credential").isArray()) {
            return Optional.of(new RequestTarget(label, hosts, base, placements(request.path("credential"), shape)));
        }
        List<JsonNode> used = new ArrayList<>();
        for (JsonNode tool : manifest.path("tools")) {
            JsonNode placement = tool.path("http").path("credential");
            if (placement.isObject() && used.stream().noneMatch(placement::equals)) {
                used.add(placement);
            }
        }
        if (used.size() != 1) {
            return Optional.empty();
        }
        return Optional.of(new RequestTarget(label, hosts, base, List.of(fromToolPlacement(used.get(0), shape))));
    }

    /** A declarative tool's {@code credential} ({@code field} naming one stored field) as a placement. */
    private static Placement fromToolPlacement(JsonNode placement, JsonNode shape) {
        String field = placement.hasNonNull("field") ? placement.get("field").asText() : singleField(shape);
        String kind = placement.path("placement").asText();
        if (kind.equals("basic")) {
            boolean pair = "pair".equals(shape.path("kind").asText());
            return new Placement(kind, null, "", null, pair ? "{username}" : "{" + field + "}", pair ? "{password}" : "");
        }
        return new Placement(kind, placement.hasNonNull("name") ? placement.get("name").asText() : null, placement.path("prefix").asText(""),
                "{" + field + "}", null, null);
    }

    private static List<Placement> placements(JsonNode credential, JsonNode shape) {
        List<Placement> placements = new ArrayList<>();
        String single = "{" + singleField(shape) + "}";
        for (JsonNode p : credential) {
            placements.add(new Placement(p.path("placement").asText(), p.hasNonNull("name") ? p.get("name").asText() : null,
                    p.path("prefix").asText(""), p.path("value").asText(single), p.path("username").asText(DEFAULT_USERNAME),
                    p.path("password").asText(DEFAULT_PASSWORD)));
        }
        return placements;
    }

    /** The single shape's field name ("value" unless renamed); "value" for other shapes, which name theirs. */
    private static String singleField(JsonNode shape) {
        return shape.path("field").asText("value");
    }

    /** The declared base URL, else https:// and the one allowed host when there is exactly one literal host. */
    private static URI baseUrl(JsonNode request, JsonNode allowedHosts) {
        if (request.hasNonNull("baseUrl")) {
            String declared = request.get("baseUrl").asText();
            return URI.create(declared.endsWith("/") ? declared.substring(0, declared.length() - 1) : declared);
        }
        if (allowedHosts.size() == 1 && !allowedHosts.get(0).asText().startsWith("*.")) {
            return URI.create("https://" + allowedHosts.get(0).asText().toLowerCase(Locale.ROOT));
        }
        return null;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
