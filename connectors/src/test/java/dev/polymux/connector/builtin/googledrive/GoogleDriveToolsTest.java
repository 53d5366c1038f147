package dev.polymux.connector.builtin.googledrive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.connector.engine.LocalProviders;
import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.connector.sdk.ToolOutcome;
import io.vertx.mutiny.core.Vertx;
import dev.polymux.connector.net.ProviderHttp;

/** Google Drive's tools against stubs of the Drive v3 API paths. */
class GoogleDriveToolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Credentials TOKEN = Credentials.oauth(new TokenSet(Secret.of("ya29.drive-access-token"), null, "Bearer",
            Instant.now().plusSeconds(3600), List.of("https://www.googleapis.com/auth/drive.file"), Map.of()));
    private static WireMockServer drive;
    private static Vertx vertx;
    private static GoogleDriveConnector connector;

    @BeforeAll
    static void start() {
        drive = new WireMockServer(options().dynamicPort());
        drive.start();
        vertx = Vertx.vertx();
        ProviderHttp web = LocalProviders.http(vertx);
        // Explicit endpoints: creating the connector needs no token client.
        connector = GoogleDriveConnector.create(GoogleDriveConnector.manifest(),
                new OAuthClientRegistration("id", Secret.of("secret")), new DeclarativeOAuth(null, web, JSON, Clock.systemUTC(), LocalProviders.options()),
                web, JSON, drive.baseUrl()).await().atMost(Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        drive.stop();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void reset() {
        drive.resetAll();
    }

    @Test
    void theManifestIsValid() {
        assertEquals(List.of(), new ManifestValidator().validateConnector(GoogleDriveConnector.manifest()));
    }

    @Test
    void listFilesPassesTheQueryAndPageSize() {
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files"))
                .withHeader("Authorization", equalTo("Bearer ya29.drive-access-token"))
                .withQueryParam("q", equalTo("name contains 'report'"))
                .withQueryParam("pageSize", equalTo("10"))
                .withQueryParam("fields", equalTo("nextPageToken,files(" + GoogleDriveConnector.FILE_FIELDS + ")"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withBody("{\"files\":[{\"id\":\"1a\",\"name\":\"report.txt\",\"mimeType\":\"text/plain\"}]}")));

        ToolOutcome outcome = call("list_files", "{\"query\":\"name contains 'report'\",\"page_size\":10}");

        assertEquals("report.txt", assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("files").path(0).path("name").asText());
    }

    @Test
    void getFileReadsTheMetadataOfOneFile() {
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files/1a%2Fb"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"id\":\"1a/b\",\"name\":\"x\"}")));

        ToolOutcome outcome = call("get_file", "{\"file_id\":\"1a/b\"}");

        assertEquals("x", assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("name").asText());
    }

    @Test
    void uploadSendsAMultipartRelatedBodyWithMetadataThenContent() {
        drive.stubFor(post(urlPathEqualTo("/upload/drive/v3/files"))
                .withQueryParam("uploadType", equalTo("multipart"))
                .withHeader("Content-Type", matching("multipart/related; boundary=polymux-.*"))
                .withRequestBody(matching("(?s).*\\{\"name\":\"notes.txt\",\"mimeType\":\"text/plain\",\"parents\":\\[\"folder-9\"\\]\\}.*"
                        + "Content-Type: text/plain; charset=UTF-8\r\n\r\nhello drive\r\n--polymux-.*"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"new-file\",\"name\":\"notes.txt\"}")));

        ToolOutcome outcome = call("upload_text_file", "{\"name\":\"notes.txt\",\"content\":\"hello drive\",\"parent_id\":\"folder-9\"}");

        assertEquals("new-file", assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("id").asText());
    }

    @Test
    void drivesRateLimitAs403IsRetriedNotFailed() {
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files/f")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "12")
                .withBody("{\"error\":{\"code\":403,\"message\":\"User Rate Limit Exceeded\",\"errors\":[{\"reason\":\"userRateLimitExceeded\"}]}}")));

        ToolOutcome.RetriableFailure failure = assertInstanceOf(ToolOutcome.RetriableFailure.class, call("get_file", "{\"file_id\":\"f\"}"));

        assertEquals(403, failure.status());
        assertEquals(Optional.of(Duration.ofSeconds(12)), failure.retryAfter());
    }

    @Test
    void anExpiredTokenAsksForARefresh() {
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files/f")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\"}}")));

        ToolOutcome outcome = call("get_file", "{\"file_id\":\"f\"}");

        assertEquals("Google Drive rejected the access token: Invalid Credentials",
                assertInstanceOf(ToolOutcome.CredentialsRejected.class, outcome).message());
    }

    @Test
    void aPermissionProblemIsAFailureWithDrivesMessage() {
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files/f")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"code\":404,\"message\":\"File not found: f.\"}}")));

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, call("get_file", "{\"file_id\":\"f\"}"));

        assertEquals("Google Drive: File not found: f.", failed.message());
    }

    @Test
    void aDriveApiOnLoopbackIsRefusedWithoutTheOperatorsAllowList() {
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files/f")).willReturn(aResponse().withStatus(200).withBody("{\"id\":\"f\"}")));
        ProviderHttp strict = ProviderHttp.create(vertx, new AddressGuard(List.of(), List.of(), true, InetAddress::getAllByName), 262144, 3, 10);
        GoogleDriveConnector guarded = GoogleDriveConnector.create(GoogleDriveConnector.manifest(),
                new OAuthClientRegistration("id", Secret.of("secret")), new DeclarativeOAuth(null, strict, JSON, Clock.systemUTC(),
                        LocalProviders.options()), strict, JSON, drive.baseUrl()).await().atMost(Duration.ofSeconds(5));

        ToolOutcome outcome = call(guarded, "get_file", "{\"file_id\":\"f\"}");

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, outcome);
        assertEquals(ToolOutcome.Failed.Reason.ADDRESS_REFUSED, failed.reason());
        assertTrue(failed.message().contains("(localhost) resolves to a private or internal address"), failed.message());
        drive.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aRedirectFromDriveIsAFailureAndTheTokenStaysHere() {
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files/f")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://127.0.0.1:" + drive.port() + "/elsewhere")));
        drive.stubFor(get(urlPathEqualTo("/elsewhere")).willReturn(aResponse().withStatus(200).withBody("{\"stolen\":true}")));

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, call("get_file", "{\"file_id\":\"f\"}"));

        assertEquals("Google Drive redirected (HTTP 302) to 127.0.0.1; redirects are not followed", failed.message());
        assertEquals(ToolOutcome.Failed.Reason.REDIRECT_REFUSED, failed.reason());
        drive.verify(0, getRequestedFor(urlPathEqualTo("/elsewhere")));
    }

    @Test
    void aDriveAnswerOverTheCapIsOutputTooLarge() {
        byte[] large = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(large, (byte) ' ');
        drive.stubFor(get(urlPathEqualTo("/drive/v3/files")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Length", String.valueOf(large.length)).withBody(large)));

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, call("list_files", "{}"));

        assertEquals(ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE, failed.reason());
        assertTrue(failed.message().contains("2097152 bytes, more than the 262144 bytes"), failed.message());
    }

    private static ToolOutcome call(String tool, String args) {
        return call(connector, tool, args);
    }

    private static ToolOutcome call(GoogleDriveConnector connector, String tool, String args) {
        try {
            JsonNode json = JSON.readTree(args);
            return connector.dispatchTool(tool, json, TOKEN, new DispatchContext("call-1", "acme", "inst-1",
                    Instant.now().plusSeconds(10), null)).await().atMost(Duration.ofSeconds(10));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
