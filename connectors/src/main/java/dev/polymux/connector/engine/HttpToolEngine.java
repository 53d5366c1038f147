package dev.polymux.connector.engine;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.RetryAfter;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.ToolOutcome;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Runs declarative HTTP tools from a connector manifest: validates the arguments against the tool's input schema,
 * builds the request with safe templating, places the credential, calls the provider within the call's deadline,
 * and turns the answer into a {@link ToolOutcome}.
 * <p>
 * Safety: path values are percent-encoded as one segment ("/" included, so no argument can change the path),
 * query values are encoded by the client, header values with CR or LF are refused, and the final host must be in
 * the manifest's {@code allowedHosts} (checked again here, not only at review).
 */
public class HttpToolEngine {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern WHOLE_PLACEHOLDER = Pattern.compile("^\\{([A-Za-z_][A-Za-z0-9_]*)}$");
    private static final int PROVIDER_MESSAGE_LIMIT = 300;

    private final WebClient client;
    private final ObjectMapper mapper;
    private final JsonSchemaFactory schemaFactory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final SchemaValidatorsConfig schemaConfig = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER)
            .locale(Locale.ENGLISH).build();
    private final Map<String, JsonSchema> inputSchemas = new ConcurrentHashMap<>();

    public HttpToolEngine(WebClient client, ObjectMapper mapper) {
        this.client = client;
        this.mapper = mapper;
    }

    public Uni<ToolOutcome> dispatch(JsonNode manifest, String toolName, JsonNode args, Credentials credentials,
            DispatchContext context) {
        JsonNode tool = findTool(manifest, toolName);
        if (tool == null) {
            List<String> offered = new ArrayList<>();
            manifest.path("tools").forEach(t -> offered.add(t.path("name").asText()));
            return Uni.createFrom().item(new ToolOutcome.BadArguments(
                    "Connector " + manifest.path("id").asText() + " has no tool '" + toolName + "'; it offers " + offered, List.of()));
        }
        if (!tool.path("http").isObject()) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0,
                    "Tool '" + toolName + "' is not declarative; its connector's handler runs it"));
        }
        List<String> argumentProblems = validateArguments(manifest, tool, args);
        if (!argumentProblems.isEmpty()) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments(
                    "The arguments do not match the input schema of tool '" + toolName + "'", argumentProblems));
        }
        HttpToolSpec spec = HttpToolSpec.from(tool.path("http"));
        Duration timeout = context.remaining(Instant.now());
        if (timeout.isZero()) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "The call's deadline passed before it could be sent"));
        }
        PreparedRequest prepared;
        try {
            prepared = prepare(manifest, spec, args, credentials, context);
        } catch (ToolArgumentsException e) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments(e.getMessage(), e.problems()));
        }
        HttpRequest<Buffer> request = client.requestAbs(HttpMethod.valueOf(spec.method()), prepared.url())
                .timeout(Math.max(1, timeout.toMillis()));
        request.headers().addAll(prepared.headers());
        prepared.query().forEach(request::addQueryParam);
        Uni<HttpResponse<Buffer>> sent = prepared.body() == null ? request.send()
                : prepared.form() != null ? request.sendForm(prepared.form()) : request.sendBuffer(prepared.body());
        String host = URI.create(prepared.url()).getHost();
        return sent.map(response -> outcome(spec, response))
                .onFailure().recoverWithItem(failure -> new ToolOutcome.RetriableFailure(0, Optional.empty(),
                        "Could not reach " + host + ": " + failure.getClass().getSimpleName()));
    }

    private record PreparedRequest(String url, MultiMap headers, Map<String, String> query, Buffer body, MultiMap form) {
    }

    private PreparedRequest prepare(JsonNode manifest, HttpToolSpec spec, JsonNode args, Credentials credentials,
            DispatchContext context) {
        String url = expandPath(spec.url(), args);
        URI uri = URI.create(url);
        if (!hostAllowed(manifest, uri)) {
            throw new ToolArgumentsException("The request would leave the connector's allowedHosts", List.of());
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> header : spec.headers().entrySet()) {
            headers.add(header.getKey(), headerValue(header.getKey(), expandText(header.getValue(), args)));
        }
        Map<String, String> query = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> param : spec.query().entrySet()) {
            Matcher whole = WHOLE_PLACEHOLDER.matcher(param.getValue());
            if (whole.matches() && !args.hasNonNull(whole.group(1))) {
                continue; // an optional argument left out: so is its parameter
            }
            query.put(param.getKey(), expandText(param.getValue(), args));
        }
        if (spec.idempotencyKeyHeader() != null) {
            headers.set(spec.idempotencyKeyHeader(), context.callId());
        }
        if (context.traceparent() != null) {
            headers.set("traceparent", headerValue("traceparent", context.traceparent()));
        }
        placeCredential(spec.credential(), credentials, headers, query);

        Buffer body = null;
        MultiMap form = null;
        if (spec.body() != null) {
            JsonNode filled = fill(spec.body().deepCopy(), args);
            if (spec.formBody()) {
                form = MultiMap.caseInsensitiveMultiMap();
                for (Iterator<Map.Entry<String, JsonNode>> fields = filled.fields(); fields.hasNext();) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    form.add(field.getKey(), field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString());
                }
                body = Buffer.buffer();
            } else {
                try {
                    body = Buffer.buffer(mapper.writeValueAsBytes(filled));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("Cannot write a request body", e);
                }
                headers.set("Content-Type", "application/json");
            }
        }
        return new PreparedRequest(url, headers, query, body, form);
    }

    private static void placeCredential(HttpToolSpec.CredentialPlacement placement, Credentials credentials,
            MultiMap headers, Map<String, String> query) {
        if (placement == null) {
            return;
        }
        switch (placement.placement()) {
            case "bearer" -> headers.set("Authorization", "Bearer " + headerValue("Authorization", token(credentials, placement)));
            case "header" -> headers.set(placement.name(), headerValue(placement.name(), placement.prefix() + token(credentials, placement)));
            case "query" -> query.put(placement.name(), placement.prefix() + token(credentials, placement));
            case "basic" -> headers.set("Authorization", "Basic " + basic(credentials, placement));
            default -> throw new IllegalStateException("Unknown credential placement " + placement.placement());
        }
    }

    /** The access token, or the secret field a vault connection stores ("value" for a single shape). */
    private static String token(Credentials credentials, HttpToolSpec.CredentialPlacement placement) {
        return switch (credentials) {
            case Credentials.OAuthToken oauth -> oauth.tokens().accessToken().reveal();
            case Credentials.Fields fields -> fields.field(placement.field() == null ? "value" : placement.field())
                    .map(Secret::reveal)
                    .orElseThrow(() -> new ToolArgumentsException("The connection has no credential field '"
                            + (placement.field() == null ? "value" : placement.field()) + "'", List.of()));
        };
    }

    private static String basic(Credentials credentials, HttpToolSpec.CredentialPlacement placement) {
        String pair = switch (credentials) {
            case Credentials.Fields fields when fields.field("username").isPresent() ->
                fields.field("username").get().reveal() + ":" + fields.field("password").map(Secret::reveal).orElse("");
            default -> token(credentials, placement) + ":";
        };
        return Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private ToolOutcome outcome(HttpToolSpec spec, HttpResponse<Buffer> response) {
        int status = response.statusCode();
        if (spec.successCodes().contains(status)) {
            return new ToolOutcome.Success(output(spec, response));
        }
        String providerSays = providerMessage(response);
        return switch (status) {
            case 401 -> new ToolOutcome.CredentialsRejected("The provider rejected the credentials (HTTP 401)" + providerSays);
            case 408, 425, 429, 500, 502, 503, 504 -> new ToolOutcome.RetriableFailure(status,
                    RetryAfter.parse(response.getHeader("Retry-After"), Instant.now()),
                    "The provider answered HTTP " + status + providerSays);
            case 400, 422 -> new ToolOutcome.BadArguments("The provider refused the arguments (HTTP " + status + ")" + providerSays,
                    List.of());
            default -> new ToolOutcome.Failed(status, "The provider answered HTTP " + status + providerSays);
        };
    }

    private JsonNode output(HttpToolSpec spec, HttpResponse<Buffer> response) {
        Buffer body = response.body();
        if (body == null || body.length() == 0) {
            return JsonNodeFactory.instance.nullNode();
        }
        JsonNode json;
        try {
            json = mapper.readTree(body.getBytes());
        } catch (java.io.IOException notJson) {
            return JsonNodeFactory.instance.textNode(body.toString());
        }
        return spec.responsePointer() == null ? json : json.at(spec.responsePointer());
    }

    /** A short excerpt of the provider's own error message, when its body has one. */
    private String providerMessage(HttpResponse<Buffer> response) {
        try {
            JsonNode json = response.body() == null ? null : mapper.readTree(response.body().getBytes());
            String message = json == null ? "" : json.path("message").asText(json.path("error_description").asText(json.path("error").asText("")));
            if (message.isBlank()) {
                return "";
            }
            return ": " + (message.length() > PROVIDER_MESSAGE_LIMIT ? message.substring(0, PROVIDER_MESSAGE_LIMIT) + "..." : message);
        } catch (java.io.IOException | RuntimeException notJson) {
            return "";
        }
    }

    private List<String> validateArguments(JsonNode manifest, JsonNode tool, JsonNode args) {
        String key = manifest.path("id").asText() + "@" + manifest.path("version").asText() + "#" + tool.path("name").asText();
        JsonSchema schema = inputSchemas.computeIfAbsent(key, ignored -> schemaFactory.getSchema(tool.path("input"), schemaConfig));
        List<String> problems = new ArrayList<>();
        for (ValidationMessage message : schema.validate(args == null ? JsonNodeFactory.instance.objectNode() : args)) {
            String pointer = message.getInstanceLocation().toString();
            problems.add((pointer.isEmpty() ? "/" : pointer) + ": " + message.getError());
        }
        problems.sort(null);
        return problems;
    }

    private static JsonNode findTool(JsonNode manifest, String name) {
        for (JsonNode tool : manifest.path("tools")) {
            if (name.equals(tool.path("name").asText())) {
                return tool;
            }
        }
        return null;
    }

    /** Placeholders in the path become exactly one encoded path segment each. */
    private static String expandPath(String template, JsonNode args) {
        int pathStart = template.indexOf('/', template.indexOf("://") + 3);
        if (pathStart < 0) {
            return template;
        }
        Matcher placeholders = PLACEHOLDER.matcher(template.substring(pathStart));
        StringBuilder path = new StringBuilder();
        List<String> missing = new ArrayList<>();
        while (placeholders.find()) {
            JsonNode value = args.get(placeholders.group(1));
            if (value == null || value.isNull() || value.asText().isEmpty()) {
                missing.add("/" + placeholders.group(1) + ": is needed in the request path");
                placeholders.appendReplacement(path, "");
            } else if (value.asText().equals(".") || value.asText().equals("..")) {
                // Percent-encoding leaves dots alone, and a dot segment would move the request to another path
                // of the provider, with the installation's credential.
                missing.add("/" + placeholders.group(1) + ": must not be \".\" or \"..\" (it would change the request path)");
                placeholders.appendReplacement(path, "");
            } else {
                placeholders.appendReplacement(path, Matcher.quoteReplacement(encodeSegment(value.asText())));
            }
        }
        placeholders.appendTail(path);
        if (!missing.isEmpty()) {
            throw new ToolArgumentsException("Some arguments the request path needs are missing or not allowed there", missing);
        }
        return template.substring(0, pathStart) + path;
    }

    private static String encodeSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String expandText(String template, JsonNode args) {
        Matcher placeholders = PLACEHOLDER.matcher(template);
        StringBuilder text = new StringBuilder();
        while (placeholders.find()) {
            JsonNode value = args.get(placeholders.group(1));
            placeholders.appendReplacement(text, Matcher.quoteReplacement(value == null || value.isNull() ? "" : value.asText()));
        }
        placeholders.appendTail(text);
        return text.toString();
    }

    /** Header values never carry line breaks, whoever supplied them. */
    private static String headerValue(String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new ToolArgumentsException("A value for header " + name + " contains a line break", List.of());
        }
        return value;
    }

    /** Strings that are exactly "{name}" take the argument's JSON value (dropped when absent); others are text. */
    private static JsonNode fill(JsonNode template, JsonNode args) {
        if (template instanceof ObjectNode object) {
            List<String> absent = new ArrayList<>();
            object.properties().forEach(field -> {
                Matcher whole = WHOLE_PLACEHOLDER.matcher(field.getValue().isTextual() ? field.getValue().asText() : "");
                if (whole.matches() && !args.has(whole.group(1))) {
                    absent.add(field.getKey());
                } else {
                    field.setValue(fill(field.getValue(), args));
                }
            });
            absent.forEach(object::remove);
            return object;
        }
        if (template instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, fill(array.get(i), args));
            }
            return array;
        }
        if (template.isTextual()) {
            Matcher whole = WHOLE_PLACEHOLDER.matcher(template.asText());
            if (whole.matches()) {
                return args.get(whole.group(1)).deepCopy();
            }
            return JsonNodeFactory.instance.textNode(expandText(template.asText(), args));
        }
        return template;
    }

    private static boolean hostAllowed(JsonNode manifest, URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String hostAndPort = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
        for (JsonNode allowed : manifest.path("allowedHosts")) {
            if (dev.polymux.connector.manifest.ManifestValidator.hostMatches(allowed.asText().toLowerCase(Locale.ROOT), host, hostAndPort)) {
                return true;
            }
        }
        return false;
    }
}
