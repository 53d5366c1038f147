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
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.polymux.connector.config.ConnectorsConfig;
import dev.polymux.connector.engine.RequestTarget;
import dev.polymux.connector.schema.ManifestPatterns;
import dev.polymux.connector.schema.ToolInputSchemas;

/**
 * Validates connector manifests and plugin connection entries against the JSON Schemas shipped in this module
 * ({@code schemas/*.schema.json}), then checks what a schema cannot say: tool URLs stay within
 * {@code allowedHosts}, URL placeholders are arguments of their tool, tool names are unique, default scopes are
 * declared scopes, hosts are public DNS names unless the operator allowed them ({@link PrivateHosts}), every regular
 * expression compiles on RE2/J within its limits and every JSON Schema a manifest brings refers only inside itself
 * ({@link ToolInputSchemas}). Every finding comes back as a {@link ManifestViolation}; an empty list means valid.
 */
@ApplicationScoped
public class ManifestValidator {

    static final String SCHEMA_BASE = "https://docs.polymux.dev/schemas/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final JsonSchema connectorSchema;
    private final JsonSchema connectionEntrySchema;
    private final JsonSchema pluginSchema;
    private final PrivateHosts privateHosts;

    /** Without an operator allow list: every private host is refused (production's default). */
    public ManifestValidator() {
        this(List.of());
    }

    @Inject
    public ManifestValidator(ConnectorsConfig config) {
        this(config.allowedPrivateHosts().orElse(List.of()));
    }

    /** @param allowedPrivateHosts what polymux.connectors.allowed-private-hosts opens: names, {@code *.suffix}, CIDR ranges */
    public ManifestValidator(List<String> allowedPrivateHosts) {
        this.privateHosts = new PrivateHosts(allowedPrivateHosts);
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
        List<ManifestViolation> violations = schemaViolations(connectionEntrySchema, entry);
        if (violations.isEmpty()) {
            violations.addAll(shapePatterns("/shape", entry.path("shape")));
            violations.addAll(actionRules("", entry));
        }
        return sorted(violations);
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
                violations.addAll(shapePatterns("/connections/" + i + "/shape", connections.get(i).path("shape")));
                violations.addAll(actionRules("/connections/" + i, connections.get(i)));
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

    private List<ManifestViolation> connectorRules(JsonNode manifest) {
        List<ManifestViolation> violations = new ArrayList<>();
        List<String> allowedHosts = new ArrayList<>();
        manifest.path("allowedHosts").forEach(host -> allowedHosts.add(host.asText().toLowerCase(Locale.ROOT)));
        for (int i = 0; i < allowedHosts.size(); i++) {
            String pointer = "/allowedHosts/" + i;
            privateHosts.problem(withoutPort(allowedHosts.get(i)))
                    .ifPresent(problem -> violations.add(new ManifestViolation(pointer, "host " + problem)));
        }

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
            violations.addAll(schemaRules("/tools/" + i + "/input", tool.path("input")));
        }

        JsonNode auth = manifest.path("auth");
        for (String field : List.of("authorizationUrl", "tokenUrl", "discoveryUrl")) {
            if (auth.hasNonNull(field)) {
                violations.addAll(endpointHost("/auth/" + field, auth.get(field).asText()));
            }
        }
        violations.addAll(shapePatterns("/auth/shape", auth.path("shape")));
        if (auth.path("request").isObject()) {
            violations.addAll(requestRules("/auth/request", auth.path("request"), allowedHosts, auth.path("shape")));
        }
        JsonNode steps = auth.path("setupSteps");
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).has("fields")) {
                violations.addAll(schemaRules("/auth/setupSteps/" + i + "/fields", steps.get(i).path("fields")));
            }
        }

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

    private List<ManifestViolation> urlRules(String toolPointer, String template, JsonNode input,
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
        if (!host.isEmpty()) {
            privateHosts.problem(host).ifPresent(problem -> violations.add(new ManifestViolation(pointer, "host " + problem)));
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

    /**
     * Variables a command block may not set: each would send the program's requests elsewhere (proxies), make it trust
     * another certificate authority, or load code of the author's choice, none of which a reviewer should have to spot.
     */
    private static final java.util.regex.Pattern REFUSED_VARIABLES = java.util.regex.Pattern.compile(
            "(?i)(.*_PROXY|LD_.*|DYLD_.*|PATH|HOME|PWD|SHELL|IFS|ENV|BASH_ENV|BASH_FUNC_.*|NODE_OPTIONS|NODE_PATH|NODE_EXTRA_CA_CERTS"
                    + "|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|CLASSPATH|PYTHONPATH|PYTHONSTARTUP|PYTHONHOME|PERL5LIB|PERL5OPT"
                    + "|RUBYOPT|RUBYLIB|GIT_.*|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE|CURL_HOME|REQUESTS_CA_BUNDLE|AWS_CA_BUNDLE"
                    + "|XDG_CONFIG_HOME|XDG_CONFIG_DIRS|OPENSSL_CONF|LOCPATH|GCONV_PATH|HOSTALIASES|RES_OPTIONS|LOCALDOMAIN|TZDIR)");

    /** Whether a command block may set this environment variable (see {@link #REFUSED_VARIABLES}). */
    public static boolean commandMaySet(String variable) {
        return !REFUSED_VARIABLES.matcher(variable).matches();
    }

    /**
     * An inline vault entry's built-in actions: the request block's hosts are public (unless allowed), its baseUrl is
     * one of them, and every template names a stored field of the entry's shape; so do the command's env and stdin,
     * whose variables are none that redirect the program or load code.
     */
    private List<ManifestViolation> actionRules(String pointer, JsonNode entry) {
        List<ManifestViolation> violations = new ArrayList<>();
        JsonNode request = entry.path("request");
        if (request.isObject()) {
            List<String> hosts = new ArrayList<>();
            request.path("allowedHosts").forEach(host -> hosts.add(host.asText().toLowerCase(Locale.ROOT)));
            for (int i = 0; i < hosts.size(); i++) {
                String at = pointer + "/request/allowedHosts/" + i;
                privateHosts.problem(withoutPort(hosts.get(i))).ifPresent(problem -> violations.add(new ManifestViolation(at, "host " + problem)));
            }
            violations.addAll(requestRules(pointer + "/request", request, hosts, entry.path("shape")));
        }
        JsonNode command = entry.path("command");
        if (command.isObject()) {
            Set<String> fields = storedFields(entry.path("shape"));
            command.path("env").properties().forEach(variable -> {
                String at = pointer + "/command/env/" + variable.getKey();
                if (!commandMaySet(variable.getKey())) {
                    violations.add(new ManifestViolation(at, "cannot be set by a command: it would redirect the program's requests, change "
                            + "the certificates it trusts or load code"));
                }
                violations.addAll(templateFields(at, variable.getValue().asText(), fields));
            });
            if (command.hasNonNull("stdin")) {
                violations.addAll(templateFields(pointer + "/command/stdin", command.get("stdin").asText(), fields));
            }
        }
        return violations;
    }

    /** A request block's baseUrl lies within its hosts, and its placements name stored fields of the shape. */
    private List<ManifestViolation> requestRules(String pointer, JsonNode request, List<String> allowedHosts, JsonNode shape) {
        List<ManifestViolation> violations = new ArrayList<>();
        if (request.hasNonNull("baseUrl")) {
            URI base;
            try {
                base = URI.create(request.get("baseUrl").asText());
            } catch (IllegalArgumentException e) {
                return List.of(new ManifestViolation(pointer + "/baseUrl", "is not a valid URL"));
            }
            String host = base.getHost() == null ? "" : base.getHost().toLowerCase(Locale.ROOT);
            String hostAndPort = base.getPort() > 0 ? host + ":" + base.getPort() : host;
            if (allowedHosts.stream().noneMatch(allowed -> hostMatches(allowed, host, hostAndPort))) {
                violations.add(new ManifestViolation(pointer + "/baseUrl", "host '" + hostAndPort + "' is not in allowedHosts"));
            }
        }
        Set<String> fields = storedFields(shape);
        JsonNode placements = request.path("credential");
        for (int i = 0; i < placements.size(); i++) {
            for (String template : List.of("value", "username", "password")) {
                if (placements.get(i).hasNonNull(template)) {
                    violations.addAll(templateFields(pointer + "/credential/" + i + "/" + template, placements.get(i).get(template).asText(), fields));
                }
            }
            if ("basic".equals(placements.get(i).path("placement").asText())) {
                // The defaults are what is used when they are not written: they must name stored fields too.
                for (Map.Entry<String, String> template : List.of(Map.entry("username", RequestTarget.DEFAULT_USERNAME),
                        Map.entry("password", RequestTarget.DEFAULT_PASSWORD))) {
                    if (!placements.get(i).hasNonNull(template.getKey())) {
                        violations.addAll(templateFields(pointer + "/credential/" + i + "/" + template.getKey(), template.getValue(), fields,
                                " (the default)"));
                    }
                }
            }
            if (!placements.get(i).has("value") && !"basic".equals(placements.get(i).path("placement").asText())
                    && !"single".equals(shape.path("kind").asText())) {
                violations.add(new ManifestViolation(pointer + "/credential/" + i, "needs a value template: a "
                        + shape.path("kind").asText() + " shape has several fields, e.g. \"{" + fields.iterator().next() + "}\""));
            }
        }
        return violations;
    }

    /** Every {field} of a template is a field the shape stores. */
    private static List<ManifestViolation> templateFields(String pointer, String template, Set<String> fields) {
        return templateFields(pointer, template, fields, "");
    }

    private static List<ManifestViolation> templateFields(String pointer, String template, Set<String> fields, String which) {
        List<ManifestViolation> violations = new ArrayList<>();
        Matcher placeholders = PLACEHOLDER.matcher(template);
        while (placeholders.find()) {
            if (!fields.contains(placeholders.group(1))) {
                violations.add(new ManifestViolation(pointer, "placeholder {" + placeholders.group(1) + "}" + which + " is not a field of the shape "
                        + fields));
            }
        }
        return violations;
    }

    /** The fields a vault shape stores: single its field ("value"), pair username and password, tuple its names, in order. */
    public static Set<String> storedFields(JsonNode shape) {
        Set<String> fields = new java.util.LinkedHashSet<>();
        switch (shape.path("kind").asText()) {
            case "single" -> fields.add(shape.path("field").asText("value"));
            case "pair" -> fields.addAll(List.of("username", "password"));
            default -> shape.path("fields").forEach(field -> fields.add(field.path("name").asText()));
        }
        return fields;
    }

    /** An OAuth endpoint's host: public, unless allowed (https-only is review's own check). */
    private List<ManifestViolation> endpointHost(String pointer, String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return List.of(new ManifestViolation(pointer, "is not a valid URL"));
        }
        if (uri.getHost() == null) {
            return List.of(new ManifestViolation(pointer, "is not an absolute URL with a host"));
        }
        if (uri.getRawUserInfo() != null) {
            return List.of(new ManifestViolation(pointer, "carries user information; credentials never go in a URL"));
        }
        return privateHosts.problem(uri.getHost()).map(problem -> List.of(new ManifestViolation(pointer, "host " + problem)))
                .orElse(List.of());
    }

    /** Patterns and references of a JSON Schema the manifest brings, as {@link ToolInputSchemas} will compile it. */
    private static List<ManifestViolation> schemaRules(String pointer, JsonNode schema) {
        return ToolInputSchemas.review(schema).stream()
                .map(finding -> new ManifestViolation(pointer + finding.pointer(), finding.message()))
                .toList();
    }

    /** A vault shape's patterns (single: its own; tuple: each field's), as vault-service will match them. */
    private static List<ManifestViolation> shapePatterns(String pointer, JsonNode shape) {
        List<ManifestViolation> violations = new ArrayList<>();
        if (shape.path("pattern").isTextual()) {
            ManifestPatterns.problem(shape.get("pattern").asText())
                    .ifPresent(problem -> violations.add(new ManifestViolation(pointer + "/pattern", problem)));
        }
        JsonNode fields = shape.path("fields");
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).path("pattern").isTextual()) {
                String at = pointer + "/fields/" + i + "/pattern";
                ManifestPatterns.problem(fields.get(i).get("pattern").asText())
                        .ifPresent(problem -> violations.add(new ManifestViolation(at, problem)));
            }
        }
        return violations;
    }

    /** "localhost:8089" is host "localhost"; an allowedHosts entry is never an IPv6 literal (the schema allows none). */
    private static String withoutPort(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        return colon > 0 && hostAndPort.indexOf(':') == colon ? hostAndPort.substring(0, colon) : hostAndPort;
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
