package dev.polymux.connector.engine;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.connector.net.ProviderHttp;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Builds the request of the built-in {@code polymux.http_request} action from the workflow's arguments (checked
 * against {@link #INPUT_SCHEMA} before any credential was read) and the connection's {@link RequestTarget}.
 * <p>
 * The workflow chooses method, path or URL, query, headers and body; it never chooses where the credential goes or
 * what it is: arguments are sent as they are (no placeholder in them is ever expanded), a header, query parameter (in
 * {@code query} or in the URL's own query) or body field the credential occupies cannot be set by the workflow, nor
 * can hop-by-hop and framing headers, and header values hold no control character. The URL
 * must reach one of the target's allowedHosts over https (plain http only to the reviewed baseUrl's own origin), a
 * path cannot climb out of the base URL with dot segments, and URLs with user information are refused.
 */
public final class HttpRequestAction {

    /** The action's arguments; the dispatcher checks them against this schema before it reads any credential. */
    public static final String INPUT_SCHEMA_JSON = """
            {"type":"object","required":["method"],"additionalProperties":false,
             "properties":{
               "method":{"enum":["GET","HEAD","POST","PUT","PATCH","DELETE"]},
               "path":{"type":"string","minLength":1,"maxLength":4096,"pattern":"^/[^\\\\s?#]*$"},
               "url":{"type":"string","maxLength":8192,"pattern":"^https?://[^\\\\s#]+$"},
               "query":{"type":"object","maxProperties":64,"additionalProperties":{"type":["string","number","boolean"]}},
               "headers":{"type":"object","maxProperties":64,
                 "propertyNames":{"pattern":"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$"},
                 "additionalProperties":{"type":"string","maxLength":8192,"pattern":"^[^\\\\r\\\\n]*$"}},
               "body":{},
               "bodyFormat":{"enum":["json","form","text"]},
               "followRedirects":{"type":"boolean"}
             },
             "oneOf":[{"required":["path"]},{"required":["url"]}]}""";

    /** Headers that frame or route the request: the HTTP client sets them, a workflow never does. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding", "connection", "upgrade",
            "te", "trailer", "keep-alive", "proxy-authorization", "proxy-connection", "authorization", "traceparent");
    /** Answer headers a workflow may need (content type, pagination, versions); the rest stay at the dispatcher. */
    private static final List<String> ANSWER_HEADERS = List.of("content-type", "etag", "last-modified", "link", "location");
    private static final Pattern FIELD = Pattern.compile("\\{([a-z][a-z0-9_]{0,62})}");

    /** The request to send, and whether the workflow asked to follow redirects (within allowedHosts). */
    record Request(HttpMethod method, HttpToolEngine.PreparedRequest prepared, boolean followRedirects) {
    }

    /** A placement names a stored field the connection does not have (an optional tuple field left empty). */
    static final class MissingFieldException extends RuntimeException {
        MissingFieldException(String message) {
            super(message, null, false, false);
        }
    }

    private HttpRequestAction() {
    }

    static Request prepare(RequestTarget target, JsonNode args, Credentials credentials, DispatchContext context, ObjectMapper mapper) {
        HttpMethod method = HttpMethod.valueOf(args.path("method").asText());
        URI url = url(target, args);

        MultiMap credentialHeaders = MultiMap.caseInsensitiveMultiMap();
        Map<String, String> credentialQuery = new LinkedHashMap<>();
        Map<String, String> credentialBody = new LinkedHashMap<>();
        for (RequestTarget.Placement placement : target.credential()) {
            switch (placement.placement()) {
                case "bearer" -> credentialHeaders.set("Authorization", "Bearer " + HttpToolEngine.headerValue("Authorization",
                        value(placement.value(), credentials)));
                case "header" -> credentialHeaders.set(placement.name(), HttpToolEngine.headerValue(placement.name(),
                        placement.prefix() + value(placement.value(), credentials)));
                case "query" -> credentialQuery.put(placement.name(), placement.prefix() + value(placement.value(), credentials));
                case "body" -> credentialBody.put(placement.name(), placement.prefix() + value(placement.value(), credentials));
                case "basic" -> credentialHeaders.set("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (value(placement.username(), credentials) + ":" + value(placement.password(), credentials)).getBytes(StandardCharsets.UTF_8)));
                default -> throw new IllegalStateException("Unknown credential placement " + placement.placement());
            }
        }

        List<String> problems = new ArrayList<>();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        args.path("headers").properties().forEach(header -> {
            String name = header.getKey();
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT)) || credentialHeaders.contains(name)) {
                problems.add("/headers/" + name + ": is set by the connection or the HTTP client, never by the workflow");
            } else if (!validHeaderValue(header.getValue().asText())) {
                problems.add("/headers/" + name + ": contains a control character");
            } else {
                headers.add(name, header.getValue().asText());
            }
        });
        // Query names compare without case: some providers read them so, and a second copy of the credential's
        // parameter, before or after it, would let the workflow choose what the provider takes.
        Set<String> credentialNames = new HashSet<>();
        credentialQuery.keySet().forEach(name -> credentialNames.add(name.toLowerCase(Locale.ROOT)));
        for (String name : queryNames(url.getRawQuery())) {
            if (credentialNames.contains(name.toLowerCase(Locale.ROOT))) {
                problems.add("/url: its query sets " + name + ", which the connection sets, never the workflow");
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        args.path("query").properties().forEach(param -> {
            if (credentialNames.contains(param.getKey().toLowerCase(Locale.ROOT))) {
                problems.add("/query/" + param.getKey() + ": is set by the connection, never by the workflow");
            } else {
                query.put(param.getKey(), param.getValue().asText());
            }
        });
        Buffer body = body(args, credentialBody, headers, problems, mapper);
        if (!problems.isEmpty()) {
            throw new ToolArgumentsException("Some arguments of " + RequestTarget.ACTION + " are not allowed", problems);
        }
        if (context.traceparent() != null) {
            headers.set("traceparent", HttpToolEngine.headerValue("traceparent", context.traceparent()));
        }
        Map<String, String> fullQuery = new LinkedHashMap<>(query);
        fullQuery.putAll(credentialQuery);
        HttpToolEngine.PreparedRequest prepared = new HttpToolEngine.PreparedRequest(HttpToolEngine.withQuery(url, fullQuery).toString(), headers,
                credentialHeaders, credentialQuery, body, !credentialBody.isEmpty());
        return new Request(method, prepared, args.path("followRedirects").asBoolean(false));
    }

    /**
     * The values this target's placements would send for these credentials, as rendered from their templates (a
     * header's or query parameter's prefix and value, Basic's username, password and "username:password"), so that
     * what a provider echoes can be cut out in the forms it was sent. Only renderings that hold a stored value; a
     * placement whose field is missing is skipped.
     */
    public static List<String> placedValues(RequestTarget target, Credentials credentials) {
        List<String> placed = new ArrayList<>();
        for (RequestTarget.Placement placement : target.credential()) {
            try {
                if (placement.placement().equals("basic")) {
                    String username = value(placement.username(), credentials);
                    String password = value(placement.password(), credentials);
                    placed.addAll(List.of(username, password, username + ":" + password));
                } else {
                    String value = value(placement.value(), credentials);
                    placed.addAll(List.of(value, placement.prefix() + value));
                }
            } catch (MissingFieldException missing) {
                // Never sent, so never echoed.
            }
        }
        placed.removeIf(rendered -> !holdsStoredValue(rendered, credentials));
        return List.copyOf(placed);
    }

    private static boolean holdsStoredValue(String rendered, Credentials credentials) {
        return switch (credentials) {
            case Credentials.OAuthToken oauth -> rendered.contains(oauth.tokens().accessToken().reveal());
            case Credentials.Fields fields -> fields.values().values().stream().map(Secret::reveal)
                    .anyMatch(stored -> !stored.isEmpty() && rendered.contains(stored));
        };
    }

    /** The parameter names of a raw query, decoded; "&" and ";" both separate, as some servers read them. */
    private static List<String> queryNames(String rawQuery) {
        List<String> names = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return names;
        }
        for (String param : rawQuery.split("[&;]")) {
            String name = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
            try {
                names.add(URLDecoder.decode(name, StandardCharsets.UTF_8).trim());
            } catch (IllegalArgumentException badEscape) {
                names.add(name);
            }
        }
        return names;
    }

    private static boolean validHeaderValue(String value) {
        try {
            HttpToolEngine.headerValue("", value);
            return true;
        } catch (ToolArgumentsException e) {
            return false;
        }
    }

    /** A 2xx answer as the workflow sees it: status, the headers it may need, and the body (JSON when it is JSON). */
    static JsonNode output(ProviderHttp.Response response, Buffer body, ObjectMapper mapper) {
        ObjectNode output = JsonNodeFactory.instance.objectNode().put("status", response.status());
        ObjectNode headers = output.putObject("headers");
        for (String name : ANSWER_HEADERS) {
            if (response.header(name) != null) {
                headers.put(name, response.header(name));
            }
        }
        if (body == null || body.length() == 0) {
            output.putNull("body");
            return output;
        }
        try {
            output.set("body", mapper.readTree(body.getBytes()));
        } catch (java.io.IOException notJson) {
            output.put("body", body.toString(StandardCharsets.UTF_8));
        }
        return output;
    }

    /**
     * The workflow's URL, or its path on the target's base URL; either way within allowedHosts, on https unless it is
     * the reviewed base URL's own plain-http origin, without user information, and with no dot segment.
     */
    private static URI url(RequestTarget target, JsonNode args) {
        URI url;
        if (args.hasNonNull("url")) {
            try {
                url = URI.create(args.get("url").asText());
            } catch (IllegalArgumentException e) {
                throw new ToolArgumentsException("The url is not a valid URL", List.of("/url: is not a valid URL"));
            }
        } else {
            if (target.baseUrl() == null) {
                throw new ToolArgumentsException("Connection " + target.label() + " has several allowed hosts and no baseUrl; give a full url",
                        List.of("/path: needs a baseUrl; give url instead"));
            }
            try {
                url = URI.create(target.baseUrl() + args.path("path").asText());
            } catch (IllegalArgumentException e) {
                throw new ToolArgumentsException("The path is not a valid URL path (percent-encode what it needs)",
                        List.of("/path: is not a valid URL path"));
            }
        }
        if (url.getHost() == null || url.getRawUserInfo() != null) {
            throw new ToolArgumentsException("The request must name a host and no user information", List.of("/url: has no host or carries user information"));
        }
        if (!HttpToolEngine.hostAllowed(target.allowedHosts(), url)) {
            throw new ToolArgumentsException("The request would leave the hosts connection " + target.label() + " may reach "
                    + target.allowedHosts(), List.of());
        }
        boolean reviewedOrigin = target.baseUrl() != null && target.baseUrl().getScheme().equalsIgnoreCase(url.getScheme())
                && target.baseUrl().getHost().equalsIgnoreCase(url.getHost()) && target.baseUrl().getPort() == url.getPort();
        if (!"https".equalsIgnoreCase(url.getScheme()) && !reviewedOrigin) {
            throw new ToolArgumentsException("The credential is only sent over https", List.of("/url: must be https"));
        }
        for (String segment : (url.getRawPath() == null ? "" : url.getRawPath()).split("/", -1)) {
            String decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            boolean hiddenClimb = decoded.contains("..") && (decoded.contains("/") || decoded.contains("\\"));
            if (decoded.equals(".") || decoded.equals("..") || hiddenClimb) {
                // A dot segment would move the request to another path of the provider, with the connection's credential;
                // so would an encoded "../" that a provider decodes before it resolves the path.
                throw new ToolArgumentsException("The request path must not contain \".\" or \"..\" segments",
                        List.of("/" + (args.hasNonNull("url") ? "url" : "path") + ": has a dot segment"));
            }
        }
        return url;
    }

    private static Buffer body(JsonNode args, Map<String, String> credentialBody, MultiMap headers, List<String> problems, ObjectMapper mapper) {
        JsonNode body = args.get("body");
        String format = args.path("bodyFormat").asText(body != null && body.isTextual() && credentialBody.isEmpty() ? "text" : "json");
        if (body == null && credentialBody.isEmpty()) {
            return null;
        }
        if (!credentialBody.isEmpty()) {
            if (format.equals("text") || (body != null && !body.isObject())) {
                problems.add("/body: must be an object (JSON or form), since the connection puts its credential into a body field");
                return null;
            }
            ObjectNode object = body == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) body.deepCopy();
            for (Map.Entry<String, String> field : credentialBody.entrySet()) {
                if (object.has(field.getKey())) {
                    problems.add("/body/" + field.getKey() + ": is set by the connection, never by the workflow");
                }
                object.put(field.getKey(), field.getValue());
            }
            body = object;
        }
        switch (format) {
            case "form" -> {
                if (!body.isObject()) {
                    problems.add("/body: a form body is an object of fields");
                    return null;
                }
                StringBuilder form = new StringBuilder();
                body.properties().forEach(field -> form.append(form.isEmpty() ? "" : "&")
                        .append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString(),
                                StandardCharsets.UTF_8)));
                defaultContentType(headers, "application/x-www-form-urlencoded");
                return Buffer.buffer(form.toString());
            }
            case "text" -> {
                defaultContentType(headers, "text/plain; charset=UTF-8");
                return Buffer.buffer(body.isTextual() ? body.asText() : body.toString());
            }
            default -> {
                defaultContentType(headers, "application/json");
                try {
                    return Buffer.buffer(mapper.writeValueAsBytes(body));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("Cannot write a request body", e);
                }
            }
        }
    }

    private static void defaultContentType(MultiMap headers, String type) {
        if (!headers.contains("Content-Type")) {
            headers.set("Content-Type", type);
        }
    }

    /** A placement's template over the stored fields; an OAuth connection's access token whatever it says. */
    private static String value(String template, Credentials credentials) {
        return switch (credentials) {
            case Credentials.OAuthToken oauth -> oauth.tokens().accessToken().reveal();
            case Credentials.Fields fields -> {
                Matcher placeholders = FIELD.matcher(template);
                StringBuilder text = new StringBuilder();
                while (placeholders.find()) {
                    String name = placeholders.group(1);
                    String stored = fields.field(name).map(Secret::reveal).orElseThrow(() -> new MissingFieldException(
                            "The connection has no stored field '" + name + "', which its request placement needs; store it first."));
                    placeholders.appendReplacement(text, Matcher.quoteReplacement(stored));
                }
                placeholders.appendTail(text);
                yield text.toString();
            }
        };
    }
}
