package dev.polymux.connector.builtin.googledrive;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
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
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Google Drive, the reference OAuth connector in Java (the source document's google-drive.ts). The grant follows the
 * manifest through {@link DeclarativeGrant} (Google is a standard provider: offline access for a refresh token,
 * PKCE); the tools are code, because uploading needs a multipart/related body and Drive reports rate limits as 403.
 * Drive API v3 paths: {@code /drive/v3/files}, {@code /drive/v3/files/{id}}, {@code /upload/drive/v3/files}.
 */
public final class GoogleDriveConnector implements ConnectorHandler {

    static final String FILE_FIELDS = "id,name,mimeType,size,modifiedTime,parents,webViewLink";

    private final JsonNode manifest;
    private final DeclarativeGrant grant;
    private final WebClient web;
    private final ObjectMapper mapper;
    private final String apiBase;

    private GoogleDriveConnector(JsonNode manifest, DeclarativeGrant grant, WebClient web, ObjectMapper mapper, String apiBase) {
        this.manifest = manifest;
        this.grant = grant;
        this.web = web;
        this.mapper = mapper;
        this.apiBase = apiBase;
    }

    /** Against Google: the manifest's endpoints and https://www.googleapis.com. Google's endpoints are in the manifest. */
    public static GoogleDriveConnector create(OAuthClientRegistration client, DeclarativeOAuth oauth, WebClient web,
            ObjectMapper mapper) {
        JsonNode manifest = manifest();
        return new GoogleDriveConnector(manifest, DeclarativeGrant.withManifestEndpoints(manifest, client, oauth), web, mapper,
                "https://www.googleapis.com");
    }

    /** With other endpoints and API base: the conformance kit's servers, or stubs of Google's API. */
    public static Uni<GoogleDriveConnector> create(JsonNode manifest, OAuthClientRegistration client, DeclarativeOAuth oauth,
            WebClient web, ObjectMapper mapper, String apiBase) {
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
        long timeout = Math.max(1, context.remaining(Instant.now()).toMillis());
        return switch (tool) {
            case "list_files" -> {
                HttpRequest<Buffer> request = authorized(web.getAbs(apiBase + "/drive/v3/files"), token, context, timeout)
                        .addQueryParam("fields", "nextPageToken,files(" + FILE_FIELDS + ")")
                        .addQueryParam("pageSize", String.valueOf(args.path("page_size").asInt(100)));
                if (args.hasNonNull("query")) {
                    request.addQueryParam("q", args.get("query").asText());
                }
                if (args.hasNonNull("page_token")) {
                    request.addQueryParam("pageToken", args.get("page_token").asText());
                }
                yield request.send().map(this::outcome);
            }
            case "get_file" -> authorized(web.getAbs(apiBase + "/drive/v3/files/" + encodeSegment(args.path("file_id").asText())),
                    token, context, timeout)
                    .addQueryParam("fields", FILE_FIELDS)
                    .send().map(this::outcome);
            case "upload_text_file" -> upload(args, token, context, timeout);
            default -> Uni.createFrom().item(new ToolOutcome.BadArguments(
                    "Google Drive has no tool '" + tool + "'; it offers [list_files, get_file, upload_text_file]", List.of()));
        };
    }

    /** Drive's multipart upload: a multipart/related body with the metadata part, then the content part. */
    private Uni<ToolOutcome> upload(JsonNode args, Credentials.OAuthToken token, DispatchContext context, long timeout) {
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
        return authorized(web.postAbs(apiBase + "/upload/drive/v3/files"), token, context, timeout)
                .addQueryParam("uploadType", "multipart")
                .addQueryParam("fields", FILE_FIELDS)
                .putHeader("Content-Type", "multipart/related; boundary=" + boundary)
                .sendBuffer(body).map(this::outcome);
    }

    private static HttpRequest<Buffer> authorized(HttpRequest<Buffer> request, Credentials.OAuthToken token,
            DispatchContext context, long timeout) {
        request.putHeader("Authorization", "Bearer " + token.tokens().accessToken().reveal()).timeout(timeout);
        if (context.traceparent() != null && context.traceparent().indexOf('\n') < 0 && context.traceparent().indexOf('\r') < 0) {
            request.putHeader("traceparent", context.traceparent());
        }
        return request;
    }

    private ToolOutcome outcome(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        JsonNode body = json(response);
        if (status >= 200 && status < 300) {
            return new ToolOutcome.Success(body);
        }
        String reason = body.path("error").path("errors").path(0).path("reason").asText("");
        String message = body.path("error").path("message").asText("HTTP " + status);
        Optional<java.time.Duration> retryAfter = RetryAfter.parse(response.getHeader("Retry-After"), Instant.now());
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

    private JsonNode json(HttpResponse<Buffer> response) {
        try {
            return response.body() == null ? mapper.nullNode() : mapper.readTree(response.body().getBytes());
        } catch (IOException e) {
            return mapper.getNodeFactory().textNode(response.bodyAsString());
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
