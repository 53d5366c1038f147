package dev.polymux.connector.engine;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;

import dev.polymux.connector.schema.ToolInputSchemas;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.RetryAfter;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.ToolOutcome;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.net.ProviderHttp;

/**
 * Runs declarative HTTP tools from a connector manifest: validates the arguments against the tool's input schema,
 * builds the request with safe templating, places the credential, calls the provider within the call's deadline,
 * and turns the answer into a {@link ToolOutcome}.
 * <p>
 * Safety: path values are percent-encoded as one segment ("/" included, so no argument can change the path),
 * query values are encoded here, header values with CR, LF or another control character are refused, and the host
 * must be in the manifest's {@code allowedHosts} (checked again here, not only at review). Every connection goes
 * through {@link ProviderHttp}: the address guard checks the resolved address and the connection goes to exactly that
 * address. Redirects are not followed unless the tool says {@code "followRedirects": true}; then each hop must be in
 * {@code allowedHosts}, passes the guard again, and carries the credential only on the original scheme, host and port
 * (a 307/308 whose repeated body holds the credential is refused off that origin). An answer over
 * polymux.connectors.http.max-output-bytes is a failure, never a partial result.
 */
public class HttpToolEngine {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern WHOLE_PLACEHOLDER = Pattern.compile("^\\{([A-Za-z_][A-Za-z0-9_]*)}$");
    private static final int PROVIDER_MESSAGE_LIMIT = 300;

    private final ProviderHttp http;
    private final ObjectMapper mapper;
    private final Map<String, JsonSchema> inputSchemas = new ConcurrentHashMap<>();

    public HttpToolEngine(ProviderHttp http, ObjectMapper mapper) {
        this.http = http;
        this.mapper = mapper;
    }

    public Uni<ToolOutcome> dispatch(JsonNode manifest, String toolName, JsonNode args, Credentials credentials,
            DispatchContext context) {
        JsonNode tool = findTool(manifest, toolName);
        args = args == null ? JsonNodeFactory.instance.objectNode() : args;
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
        List<String> argumentProblems;
        try {
            argumentProblems = validateArguments(manifest, tool, args);
        } catch (ToolInputSchemas.UnsafeSchemaException unsafe) {
            // A manifest published before review checked schemas: a clear failure, never a fetch or a stall.
            return Uni.createFrom().item(new ToolOutcome.Failed(0, unsafe.getMessage()));
        }
        if (!argumentProblems.isEmpty()) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments(
                    "The arguments do not match the input schema of tool '" + toolName + "'", argumentProblems));
        }
        HttpToolSpec spec = HttpToolSpec.from(tool.path("http"));
        if (context.remaining(Instant.now()).isZero()) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "The call's deadline passed before it could be sent"));
        }
        PreparedRequest prepared;
        try {
            prepared = prepare(manifest, spec, args, credentials, context);
        } catch (ToolArgumentsException e) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments(e.getMessage(), e.problems()));
        }
        String label = manifest.path("label").asText(manifest.path("id").asText());
        Route route = new Route(allowedHosts(manifest), spec.followRedirects(), status -> spec.successCodes().contains(status),
                response -> outcome(status -> spec.successCodes().contains(status), body -> output(spec, body), response));
        return send(route, prepared, new Hop(HttpMethod.valueOf(spec.method()), URI.create(prepared.url()), true, prepared.body()),
                "tool " + toolName + " of " + label, context, 0);
    }

    /**
     * The built-in {@code polymux.http_request} action: the workflow's method, path or URL, query, headers and body,
     * sent only within the target's allowedHosts, with the connection's credential placed as the target says (never
     * from the arguments). A 2xx answer is the output {@code {status, headers, body}}; other answers map as for
     * declarative tools.
     */
    public Uni<ToolOutcome> request(RequestTarget target, JsonNode args, Credentials credentials, DispatchContext context) {
        if (context.remaining(Instant.now()).isZero()) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "The call's deadline passed before it could be sent"));
        }
        args = args == null ? JsonNodeFactory.instance.objectNode() : args;
        List<String> problems = validate(RequestTarget.ACTION, HttpRequestAction.INPUT_SCHEMA_JSON, args);
        if (!problems.isEmpty()) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments("The arguments do not match the input schema of " + RequestTarget.ACTION,
                    problems));
        }
        HttpRequestAction.Request request;
        try {
            request = HttpRequestAction.prepare(target, args, credentials, context, mapper);
        } catch (ToolArgumentsException e) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments(e.getMessage(), e.problems()));
        } catch (HttpRequestAction.MissingFieldException e) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, e.getMessage()));
        }
        Route route = new Route(target.allowedHosts(), request.followRedirects(), status -> status >= 200 && status < 300,
                response -> outcome(status -> status >= 200 && status < 300, body -> HttpRequestAction.output(response, body, mapper), response));
        return send(route, request.prepared(), new Hop(request.method(), URI.create(request.prepared().url()), true, request.prepared().body()),
                RequestTarget.ACTION + " of " + target.label(), context, 0);
    }

    /**
     * What a request may reach and how its answer is read: the hosts redirects may go to (when followed at all), which
     * statuses are answers rather than errors (read up to the output cap), and the outcome of the final answer.
     */
    private record Route(List<String> allowedHosts, boolean followRedirects, IntPredicate success,
            Function<ProviderHttp.Response, ToolOutcome> answer) {
    }

    /** One request of a call: the first, or a redirect hop the tool opted in to. */
    private record Hop(HttpMethod method, URI url, boolean withCredential, Buffer body) {
    }

    private Uni<ToolOutcome> send(Route route, PreparedRequest prepared, Hop hop, String what, DispatchContext context, int hops) {
        Duration timeout = context.remaining(Instant.now());
        if (timeout.isZero()) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "The call's deadline passed before it could be sent"));
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(prepared.headers());
        if (hop.withCredential()) {
            headers.addAll(prepared.credentialHeaders());
        }
        if (hop.body() == null && prepared.body() != null) {
            headers.remove("Content-Type"); // a redirect hop that continues as GET
        }
        URI url = hop.url();
        String host = url.getHost();
        ProviderHttp.Request request = new ProviderHttp.Request(hop.method(), url, headers, hop.body(), what);
        return http.send(request, timeout, route.success()::test)
                .flatMap(response -> {
                    if (!route.success().test(response.status()) && response.redirect()) {
                        return redirect(route, prepared, hop, response, what, context, hops);
                    }
                    return Uni.createFrom().item(route.answer().apply(response));
                })
                .onFailure(AddressGuard.AddressRefusedException.class).recoverWithItem(refused -> new ToolOutcome.Failed(0,
                        refused.getMessage(), ToolOutcome.Failed.Reason.ADDRESS_REFUSED))
                .onFailure().recoverWithItem(failure -> new ToolOutcome.RetriableFailure(0, Optional.empty(),
                        "Could not reach " + host + ": " + failure.getClass().getSimpleName()));
    }

    /**
     * A 3xx: a failed outcome, unless the tool opted in ({@code followRedirects}) and the target is among the
     * manifest's allowedHosts; then the next hop passes the address guard again, and carries the credential only when
     * it stays on the original scheme, host and port.
     */
    private Uni<ToolOutcome> redirect(Route route, PreparedRequest prepared, Hop hop, ProviderHttp.Response response, String what,
            DispatchContext context, int hops) {
        int status = response.status();
        URI target;
        try {
            target = hop.url().resolve(response.header("Location").trim());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(new ToolOutcome.Failed(status, "The provider redirected (HTTP " + status
                    + ") to an address that is not a URL; redirects are not followed", ToolOutcome.Failed.Reason.REDIRECT_REFUSED));
        }
        String targetHost = target.getHost() == null ? "an address without a host" : target.getHost();
        String redirected = "The provider redirected (HTTP " + status + ") to " + targetHost;
        if (!route.followRedirects()) {
            return refusedRedirect(status, redirected + "; redirects are not followed");
        }
        if (target.getHost() == null || !hostAllowed(route.allowedHosts(), target)) {
            return refusedRedirect(status, redirected + ", which is not among the connector's allowedHosts");
        }
        if (hops >= http.maxRedirects()) {
            return refusedRedirect(status, redirected + " after " + hops + " redirects already; at most " + http.maxRedirects()
                    + " are followed");
        }
        URI first = URI.create(prepared.url());
        boolean sameOrigin = target.getScheme() != null && target.getScheme().equalsIgnoreCase(first.getScheme())
                && target.getHost().equalsIgnoreCase(first.getHost()) && port(target) == port(first);
        // 303, and 301/302 after a POST (as browsers do), continue as a GET without the body; 307/308 repeat the request.
        boolean asGet = status == 303 || ((status == 301 || status == 302) && hop.method() == HttpMethod.POST);
        boolean withCredential = sameOrigin && hop.withCredential();
        if (!asGet && hop.body() != null && prepared.credentialInBody() && !withCredential) {
            // The repeated body holds the credential: it goes to the original origin only, like the headers.
            return refusedRedirect(status, redirected + ", another origin, and the request body carries the connection's credential;"
                    + " it is not sent there");
        }
        URI next = withCredential ? withQuery(target, prepared.credentialQuery()) : target;
        return send(route, prepared, new Hop(asGet ? HttpMethod.GET : hop.method(), next, withCredential,
                asGet ? null : hop.body()), what, context, hops + 1);
    }

    private static Uni<ToolOutcome> refusedRedirect(int status, String message) {
        return Uni.createFrom().item(new ToolOutcome.Failed(status, message, ToolOutcome.Failed.Reason.REDIRECT_REFUSED));
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /**
     * The request as the manifest describes it; the credential is kept apart ({@code credentialHeaders},
     * {@code credentialQuery}, the latter also already in {@code url}) so that a redirect hop can go without it;
     * {@code credentialInBody}: the body holds a credential field, so a hop that repeats it must stay on the origin.
     */
    record PreparedRequest(String url, MultiMap headers, MultiMap credentialHeaders, Map<String, String> credentialQuery,
            Buffer body, boolean credentialInBody) {
    }

    private PreparedRequest prepare(JsonNode manifest, HttpToolSpec spec, JsonNode args, Credentials credentials,
            DispatchContext context) {
        String url = expandPath(spec.url(), args);
        URI uri = URI.create(url);
        if (!hostAllowed(allowedHosts(manifest), uri)) {
            throw new ToolArgumentsException("The request would leave the connector's allowedHosts", List.of());
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> header : spec.headers().entrySet()) {
            headers.add(header.getKey(), headerValue(header.getKey(), expandText(header.getValue(), args)));
        }
        Map<String, String> query = new LinkedHashMap<>();
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
        MultiMap credentialHeaders = MultiMap.caseInsensitiveMultiMap();
        Map<String, String> credentialQuery = new LinkedHashMap<>();
        placeCredential(spec.credential(), credentials, credentialHeaders, credentialQuery);
        credentialHeaders.names().forEach(headers::remove);
        credentialQuery.keySet().forEach(query::remove);

        Buffer body = null;
        if (spec.body() != null) {
            JsonNode filled = fill(spec.body().deepCopy(), args);
            if (spec.formBody()) {
                StringBuilder form = new StringBuilder();
                for (Map.Entry<String, JsonNode> field : filled.properties()) {
                    form.append(form.isEmpty() ? "" : "&").append(encodeForm(field.getKey())).append('=')
                            .append(encodeForm(field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString()));
                }
                body = Buffer.buffer(form.toString());
                headers.set("Content-Type", "application/x-www-form-urlencoded");
            } else {
                try {
                    body = Buffer.buffer(mapper.writeValueAsBytes(filled));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("Cannot write a request body", e);
                }
                headers.set("Content-Type", "application/json");
            }
        }
        Map<String, String> fullQuery = new LinkedHashMap<>(query);
        fullQuery.putAll(credentialQuery);
        return new PreparedRequest(withQuery(uri, fullQuery).toString(), headers, credentialHeaders, credentialQuery, body, false);
    }

    /** {@code uri} with the parameters appended, each name and value percent-encoded. */
    static URI withQuery(URI uri, Map<String, String> params) {
        if (params.isEmpty()) {
            return uri;
        }
        StringBuilder text = new StringBuilder(uri.toString());
        int fragment = text.indexOf("#");
        if (fragment >= 0) {
            text.setLength(fragment);
        }
        char separator = uri.getRawQuery() == null ? '?' : '&';
        for (Map.Entry<String, String> param : params.entrySet()) {
            text.append(separator).append(encodeSegment(param.getKey())).append('=').append(encodeSegment(param.getValue()));
            separator = '&';
        }
        return URI.create(text.toString());
    }

    private static String encodeForm(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
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

    private ToolOutcome outcome(IntPredicate success, Function<Buffer, JsonNode> output, ProviderHttp.Response response) {
        int status = response.status();
        if (success.test(status)) {
            if (response.cut()) {
                // Never a partial result: the dispatcher reports OUTPUT_TOO_LARGE, and nothing over the cap reaches Kafka.
                return new ToolOutcome.Failed(status, ProviderHttp.tooLarge("The provider", response, http.maxOutputBytes()),
                        ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE);
            }
            return new ToolOutcome.Success(output.apply(response.body()));
        }
        String providerSays = providerMessage(response.body());
        return switch (status) {
            case 401 -> new ToolOutcome.CredentialsRejected("The provider rejected the credentials (HTTP 401)" + providerSays);
            case 408, 425, 429, 500, 502, 503, 504 -> new ToolOutcome.RetriableFailure(status,
                    RetryAfter.parse(response.header("Retry-After"), Instant.now()),
                    "The provider answered HTTP " + status + providerSays);
            case 400, 422 -> new ToolOutcome.BadArguments("The provider refused the arguments (HTTP " + status + ")" + providerSays,
                    List.of());
            default -> new ToolOutcome.Failed(status, "The provider answered HTTP " + status + providerSays);
        };
    }

    private JsonNode output(HttpToolSpec spec, Buffer body) {
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

    /** A short excerpt of the provider's own error message, when its body (itself an excerpt) has one. */
    private String providerMessage(Buffer body) {
        try {
            JsonNode json = body == null || body.length() == 0 ? null : mapper.readTree(body.getBytes());
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
        return problems(inputSchemas.computeIfAbsent(key, ignored -> ToolInputSchemas.compile(tool.path("input"))), args);
    }

    /** A built-in action's arguments against its schema (compiled once). */
    private List<String> validate(String action, String schemaJson, JsonNode args) {
        return problems(inputSchemas.computeIfAbsent("builtin#" + action, ignored -> {
            try {
                return ToolInputSchemas.compile(mapper.readTree(schemaJson));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("The schema of " + action + " is not JSON", e);
            }
        }), args);
    }

    private static List<String> problems(JsonSchema schema, JsonNode args) {
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

    static String encodeSegment(String value) {
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

    /**
     * Header values never carry line breaks or other control characters (tab aside, RFC 9110 5.5), whoever supplied
     * them: the HTTP client would refuse them only when sending, which reads as a network failure and is retried.
     */
    static String headerValue(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new ToolArgumentsException("A value for header " + name + " contains a line break", List.of());
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new ToolArgumentsException("A value for header " + name + " contains a control character", List.of());
            }
        }
        return value;
    }

    /**
     * Strings that are exactly "{name}" take the argument's JSON value; when the argument is absent the field or array
     * item is left out (a template at the top is null). Other strings are text.
     */
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
            ArrayNode filled = array.arrayNode();
            for (JsonNode item : array) {
                Matcher whole = WHOLE_PLACEHOLDER.matcher(item.isTextual() ? item.asText() : "");
                if (!(whole.matches() && !args.has(whole.group(1)))) {
                    filled.add(fill(item, args)); // an absent optional argument is left out, as in objects
                }
            }
            return filled;
        }
        if (template.isTextual()) {
            Matcher whole = WHOLE_PLACEHOLDER.matcher(template.asText());
            if (whole.matches()) {
                JsonNode value = args.get(whole.group(1));
                return value == null ? JsonNodeFactory.instance.nullNode() : value.deepCopy();
            }
            return JsonNodeFactory.instance.textNode(expandText(template.asText(), args));
        }
        return template;
    }

    private static List<String> allowedHosts(JsonNode manifest) {
        List<String> hosts = new ArrayList<>();
        manifest.path("allowedHosts").forEach(allowed -> hosts.add(allowed.asText().toLowerCase(Locale.ROOT)));
        return hosts;
    }

    static boolean hostAllowed(List<String> allowedHosts, URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String hostAndPort = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
        return allowedHosts.stream().anyMatch(allowed -> dev.polymux.connector.manifest.ManifestValidator.hostMatches(allowed, host, hostAndPort));
    }
}
