package dev.polymux.connector.builtin.googledrive;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.builtin.InTreeManifests;
import dev.polymux.connector.engine.DeclarativeGrant;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.RetryAfter;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.connector.sdk.ToolOutcome;
import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.net.ProviderHttp;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Google Drive, the reference OAuth connector in Java. The grant follows the manifest through {@link DeclarativeGrant}
 * (Google is a standard provider: offline access for a refresh token, PKCE); the tools are code, because uploading
 * needs a multipart/related body and Drive reports rate limits as 403. Drive API v3 paths: {@code /drive/v3/files},
 * {@code /drive/v3/files/{id}}, {@code /upload/drive/v3/files}.
 */
public final class GoogleDriveConnector implements ConnectorHandler {

    static final String FILE_FIELDS = "id,name,mimeType,size,modifiedTime,parents,webViewLink";

    private final JsonNode manifest;
    private final DeclarativeGrant grant;
    private final ProviderHttp web;
    private final ObjectMapper mapper;
    private final String apiBase;

    private GoogleDriveConnector(JsonNode manifest, DeclarativeGrant grant, ProviderHttp web, ObjectMapper mapper, String apiBase) {
        this.manifest = manifest;
        this.grant = grant;
        this.web = web;
        this.mapper = mapper;
        this.apiBase = apiBase;
    }

    /** Against Google: the manifest's endpoints and https://www.googleapis.com. Google's endpoints are in the manifest. */
    public static GoogleDriveConnector create(OAuthClientRegistration client, DeclarativeOAuth oauth, ProviderHttp web,
            ObjectMapper mapper) {
        JsonNode manifest = manifest();
        return new GoogleDriveConnector(manifest, DeclarativeGrant.withManifestEndpoints(manifest, client, oauth), web, mapper,
                "https://www.googleapis.com");
    }

    /** With other endpoints and API base: the conformance kit's servers, or stubs of Google's API. */
    public static Uni<GoogleDriveConnector> create(JsonNode manifest, OAuthClientRegistration client, DeclarativeOAuth oauth,
            ProviderHttp web, ObjectMapper mapper, String apiBase) {
        return DeclarativeGrant.create(manifest, client, oauth)
                .map(grant -> new GoogleDriveConnector(manifest, grant, web, mapper, apiBase));
    }

    /** The in-tree manifest, a fresh copy (tests point it at stubs). */
    public static ObjectNode manifest() {
        return InTreeManifests.load("google-drive");
    }

    @Override
    public String id() {
        return "google-drive";
    }

    @Override
    public String label() {
        return "Google Drive";
    }

    @Override
    public List<String> scopes() {
        return grant.settings().scopes();
    }

    @Override
    public dev.polymux.connector.sdk.ConnectorHandler withOAuthClient(OAuthClientRegistration client) {
        return new GoogleDriveConnector(manifest, grant.withClient(client), web, mapper, apiBase);
    }

    @Override
    public java.util.Optional<String> issuer() {
        return grant.issuer();
    }

    @Override
    public boolean issuerInEveryResponse() {
        return grant.issuerInEveryResponse();
    }

    @Override
    public URI buildAuthorizeUrl(String state, URI redirectUri, String codeChallenge, List<String> requestedScopes) {
        return grant.buildAuthorizeUrl(state, redirectUri, codeChallenge, requestedScopes);
    }

    @Override
    public Uni<TokenSet> exchangeCode(String code, URI redirectUri, String codeVerifier) {
        return grant.exchangeCode(code, redirectUri, codeVerifier);
    }

    @Override
    public Uni<TokenSet> refresh(TokenSet previous) {
        return grant.refresh(previous);
    }

    @Override
    public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
        if (!(credentials instanceof Credentials.OAuthToken token)) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "Google Drive needs an OAuth access token"));
        }
        return switch (tool) {
            case "list_files" -> {
                Map<String, String> query = new LinkedHashMap<>();
                query.put("fields", "nextPageToken,files(" + FILE_FIELDS + ")");
                query.put("pageSize", String.valueOf(args.path("page_size").asInt(100)));
                if (args.hasNonNull("query")) {
                    query.put("q", args.get("query").asText());
                }
                if (args.hasNonNull("page_token")) {
                    query.put("pageToken", args.get("page_token").asText());
                }
                yield send(HttpMethod.GET, "/drive/v3/files", query, null, null, token, context, tool);
            }
            case "get_file" -> send(HttpMethod.GET, "/drive/v3/files/" + encodeSegment(args.path("file_id").asText()),
                    Map.of("fields", FILE_FIELDS), null, null, token, context, tool);
            case "upload_text_file" -> upload(args, token, context);
            default -> Uni.createFrom().item(new ToolOutcome.BadArguments(
                    "Google Drive has no tool '" + tool + "'; it offers [list_files, get_file, upload_text_file]", List.of()));
        };
    }

    /** Drive's multipart upload: a multipart/related body with the metadata part, then the content part. */
    private Uni<ToolOutcome> upload(JsonNode args, Credentials.OAuthToken token, DispatchContext context) {
        ObjectNode metadata = mapper.createObjectNode().put("name", args.path("name").asText()).put("mimeType", "text/plain");
        if (args.hasNonNull("parent_id")) {
            metadata.putArray("parents").add(args.get("parent_id").asText());
        }
        String boundary = "polymux-" + UUID.randomUUID();
        Buffer body = Buffer.buffer()
                .appendString("--" + boundary + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n")
                .appendString(metadata.toString())
                .appendString("\r\n--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n")
                .appendString(args.path("content").asText())
                .appendString("\r\n--" + boundary + "--\r\n");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("uploadType", "multipart");
        query.put("fields", FILE_FIELDS);
        return send(HttpMethod.POST, "/upload/drive/v3/files", query, "multipart/related; boundary=" + boundary, body, token, context,
                "upload_text_file");
    }

    /**
     * One Drive API request through the guarded provider client: never a redirect followed (Drive's API does not
     * redirect API calls; a 3xx would take the token elsewhere), answers capped like every tool result.
     */
    private Uni<ToolOutcome> send(HttpMethod method, String path, Map<String, String> query, String contentType, Buffer body,
            Credentials.OAuthToken token, DispatchContext context, String tool) {
        StringBuilder url = new StringBuilder(apiBase).append(path);
        char separator = '?';
        for (Map.Entry<String, String> param : query.entrySet()) {
            url.append(separator).append(encodeSegment(param.getKey())).append('=').append(encodeSegment(param.getValue()));
            separator = '&';
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .set("Authorization", "Bearer " + token.tokens().accessToken().reveal());
        if (context.traceparent() != null && context.traceparent().indexOf('\n') < 0 && context.traceparent().indexOf('\r') < 0) {
            headers.set("traceparent", context.traceparent());
        }
        if (contentType != null) {
            headers.set("Content-Type", contentType);
        }
        URI uri = URI.create(url.toString());
        return web.send(new ProviderHttp.Request(method, uri, headers, body, "Google Drive's API (tool " + tool + ")"),
                context.remaining(Instant.now()), status -> status >= 200 && status < 300)
                .map(this::outcome)
                .onFailure(AddressGuard.AddressRefusedException.class).recoverWithItem(refused -> new ToolOutcome.Failed(0,
                        refused.getMessage(), ToolOutcome.Failed.Reason.ADDRESS_REFUSED))
                .onFailure().recoverWithItem(failure -> new ToolOutcome.RetriableFailure(0, Optional.empty(),
                        "Could not reach Google Drive (" + uri.getHost() + "): " + failure.getClass().getSimpleName()));
    }

    private ToolOutcome outcome(ProviderHttp.Response response) {
        int status = response.status();
        if (status >= 200 && status < 300 && response.cut()) {
            return new ToolOutcome.Failed(status, ProviderHttp.tooLarge("Google Drive", response, web.maxOutputBytes()),
                    ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE);
        }
        if (response.redirect()) {
            URI target = URI.create(apiBase).resolve(response.header("Location").trim());
            return new ToolOutcome.Failed(status, "Google Drive redirected (HTTP " + status + ") to " + target.getHost()
                    + "; redirects are not followed", ToolOutcome.Failed.Reason.REDIRECT_REFUSED);
        }
        JsonNode body = json(response.body());
        if (status >= 200 && status < 300) {
            return new ToolOutcome.Success(body);
        }
        String reason = body.path("error").path("errors").path(0).path("reason").asText("");
        String message = body.path("error").path("message").asText("HTTP " + status);
        Optional<java.time.Duration> retryAfter = RetryAfter.parse(response.header("Retry-After"), Instant.now());
        if (status == 401) {
            return new ToolOutcome.CredentialsRejected("Google Drive rejected the access token: " + message);
        }
        // Drive signals rate limits as 403 with these reasons, not only as 429.
        if (status == 429 || status >= 500 || (status == 403 && (reason.equals("rateLimitExceeded") || reason.equals("userRateLimitExceeded")))) {
            return new ToolOutcome.RetriableFailure(status, retryAfter, "Google Drive: " + message);
        }
        if (status == 400) {
            return new ToolOutcome.BadArguments("Google Drive refused the arguments: " + message, List.of());
        }
        return new ToolOutcome.Failed(status, "Google Drive: " + message);
    }

    private JsonNode json(Buffer body) {
        if (body == null || body.length() == 0) {
            return mapper.nullNode();
        }
        try {
            return mapper.readTree(body.getBytes());
        } catch (IOException e) {
            return mapper.getNodeFactory().textNode(body.toString());
        }
    }

    private static String encodeSegment(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "GoogleDriveConnector[" + manifest.path("version").asText() + "]";
    }
}
