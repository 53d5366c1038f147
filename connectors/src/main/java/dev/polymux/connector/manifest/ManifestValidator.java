package dev.polymux.connector.manifest;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Validates connector manifests and plugin connection entries against the JSON Schemas shipped in this module
 * ({@code schemas/*.schema.json}), then checks what a schema cannot say: tool URLs stay within
 * {@code allowedHosts}, URL placeholders are arguments of their tool, tool names are unique, default scopes are
 * declared scopes. Every finding comes back as a {@link ManifestViolation}; an empty list means valid.
 */
@ApplicationScoped
public class ManifestValidator {

    static final String SCHEMA_BASE = "https://docs.polymux.dev/schemas/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final JsonSchema connectorSchema;
    private final JsonSchema connectionEntrySchema;
    private final JsonSchema pluginSchema;

    public ManifestValidator() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .build();
        this.connectorSchema = factory.getSchema(SchemaLocation.of(SCHEMA_BASE + "connector-manifest.schema.json"), config);
        this.connectionEntrySchema = factory.getSchema(SchemaLocation.of(SCHEMA_BASE + "connection-entry.schema.json"), config);
        this.pluginSchema = factory.getSchema(SchemaLocation.of(SCHEMA_BASE + "plugin-manifest.schema.json"), config);
        // Load referenced schemas now, not on the first request.
        connectorSchema.initializeValidators();
        connectionEntrySchema.initializeValidators();
        pluginSchema.initializeValidators();
    }

    public List<ManifestViolation> validateConnector(JsonNode manifest) {
        List<ManifestViolation> violations = schemaViolations(connectorSchema, manifest);
        if (violations.isEmpty()) {
            violations.addAll(connectorRules(manifest));
        }
        return sorted(violations);
    }

    public List<ManifestViolation> validateConnectionEntry(JsonNode entry) {
        return sorted(schemaViolations(connectionEntrySchema, entry));
    }

    /**
     * A plugin manifest on its own: the schema, and connection keys unique. Whether the connectors it names exist and
     * allow its scopes is the registry's to check.
     */
    public List<ManifestViolation> validatePlugin(JsonNode manifest) {
        List<ManifestViolation> violations = schemaViolations(pluginSchema, manifest);
        if (violations.isEmpty()) {
            Map<String, Integer> firstByKey = new HashMap<>();
            JsonNode connections = manifest.path("connections");
            for (int i = 0; i < connections.size(); i++) {
                String key = connections.get(i).path("key").asText();
                Integer first = firstByKey.putIfAbsent(key, i);
                if (first != null) {
                    violations.add(new ManifestViolation("/connections/" + i + "/key",
                            "key '" + key + "' is already used by /connections/" + first));
                }
            }
        }
        return sorted(violations);
    }

    private static List<ManifestViolation> schemaViolations(JsonSchema schema, JsonNode node) {
        Set<ValidationMessage> messages = schema.validate(node);
        List<ManifestViolation> violations = new ArrayList<>();
        for (ValidationMessage message : messages) {
            String pointer = message.getInstanceLocation().toString();
            violations.add(new ManifestViolation(pointer.isEmpty() ? "/" : pointer, message.getError()));
        }
        return violations;
    }

    private static List<ManifestViolation> connectorRules(JsonNode manifest) {
        List<ManifestViolation> violations = new ArrayList<>();
        List<String> allowedHosts = new ArrayList<>();
        manifest.path("allowedHosts").forEach(host -> allowedHosts.add(host.asText().toLowerCase(Locale.ROOT)));

        Map<String, Integer> toolIndexByName = new HashMap<>();
        JsonNode tools = manifest.path("tools");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String name = tool.path("name").asText();
            Integer first = toolIndexByName.putIfAbsent(name, i);
            if (first != null) {
                violations.add(new ManifestViolation("/tools/" + i + "/name",
                        "tool name '" + name + "' is already used by /tools/" + first));
            }
            JsonNode http = tool.path("http");
            if (http.isObject()) {
                violations.addAll(urlRules("/tools/" + i, http.path("url").asText(), tool.path("input"), allowedHosts));
            }
        }

        JsonNode auth = manifest.path("auth");
        if ("oauth".equals(manifest.path("kind").asText())) {
            List<String> scopes = new ArrayList<>();
            auth.path("scopes").forEach(scope -> scopes.add(scope.asText()));
            JsonNode defaults = auth.path("defaultScopes");
            for (int i = 0; i < defaults.size(); i++) {
                if (!scopes.contains(defaults.get(i).asText())) {
                    violations.add(new ManifestViolation("/auth/defaultScopes/" + i, "is not one of /auth/scopes"));
                }
            }
        }
        return violations;
    }

    private static List<ManifestViolation> urlRules(String toolPointer, String template, JsonNode input,
            List<String> allowedHosts) {
        List<ManifestViolation> violations = new ArrayList<>();
        String pointer = toolPointer + "/http/url";
        // The host is literal (the schema forbids placeholders before the path), so parse it with placeholders blanked.
        URI uri;
        try {
            uri = URI.create(PLACEHOLDER.matcher(template).replaceAll("x"));
        } catch (IllegalArgumentException e) {
            return List.of(new ManifestViolation(pointer, "is not a valid URL template"));
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String hostAndPort = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
        if (allowedHosts.stream().noneMatch(allowed -> hostMatches(allowed, host, hostAndPort))) {
            violations.add(new ManifestViolation(pointer, "host '" + hostAndPort + "' is not in allowedHosts"));
        }
        JsonNode properties = input.path("properties");
        Matcher placeholders = PLACEHOLDER.matcher(template);
        while (placeholders.find()) {
            if (!properties.has(placeholders.group(1))) {
                violations.add(new ManifestViolation(pointer,
                        "placeholder {" + placeholders.group(1) + "} is not a property of the tool's input schema"));
            }
        }
        return violations;
    }

    /** "api.github.com", "localhost:8089" (port must match) or "*.example.com" (any subdomain, not the apex). */
    public static boolean hostMatches(String allowed, String host, String hostAndPort) {
        if (allowed.startsWith("*.")) {
            return host.endsWith(allowed.substring(1)) && host.length() > allowed.length() - 1;
        }
        return allowed.contains(":") ? allowed.equals(hostAndPort) : allowed.equals(host);
    }

    private static List<ManifestViolation> sorted(List<ManifestViolation> violations) {
        return violations.stream()
                .distinct()
                .sorted(Comparator.comparing(ManifestViolation::pointer).thenComparing(ManifestViolation::message))
                .toList();
    }
}
