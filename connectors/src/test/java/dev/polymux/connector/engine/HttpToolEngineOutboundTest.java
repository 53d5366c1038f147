package dev.polymux.connector.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.ToolOutcome;
import io.vertx.mutiny.core.Vertx;

/**
 * What the engine does on the wire: redirects, the address guard with the connection pinned to the checked address,
 * the output cap, and body templates with absent optional arguments. Providers are WireMock servers and a plain
 * socket server on loopback; "another host" is 127.0.0.1 where the manifest names localhost.
 */
class HttpToolEngineOutboundTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_KEY = "sk_outbound_test_key_value";
    private static WireMockServer provider;
    private static WireMockServer other;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        other = new WireMockServer(options().dynamicPort());
        other.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        provider.stop();
        other.stop();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void reset() {
        provider.resetAll();
        other.resetAll();
    }

    @Test
    void aRedirectIsAFailedOutcomeAndTheCredentialNeverReachesTheOtherHost() {
        provider.stubFor(get(urlEqualTo("/start")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", other.baseUrl().replace("localhost", "127.0.0.1") + "/steal")));
        other.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"internal\":\"secret of another service\"}")));

        ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest("/start", false, List.of()), "{}");

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, outcome);
        assertEquals("The provider redirected (HTTP 302) to 127.0.0.1; redirects are not followed", failed.message());
        assertEquals(ToolOutcome.Failed.Reason.REDIRECT_REFUSED, failed.reason());
        other.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anOptedInRedirectCarriesTheCredentialOnlyOnTheSameHost() {
        String otherHost = "127.0.0.1:" + other.port();
        provider.stubFor(get(urlEqualTo("/start")).willReturn(aResponse().withStatus(301).withHeader("Location", "/next")));
        provider.stubFor(get(urlEqualTo("/next")).withHeader("X-Api-Key", equalTo(API_KEY))
                .willReturn(aResponse().withStatus(307).withHeader("Location", "http://" + otherHost + "/final")));
        other.stubFor(get(urlEqualTo("/final")).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));

        ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest("/start", true, List.of(otherHost)), "{}");

        assertTrue(assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("ok").asBoolean());
        provider.verify(getRequestedFor(urlEqualTo("/next")).withHeader("X-Api-Key", equalTo(API_KEY)));
        other.verify(1, getRequestedFor(urlEqualTo("/final")).withHeader("X-Api-Key", absent()).withHeader("Authorization", absent()));
    }

    @Test
    void anOptedInRedirectOutsideTheAllowedHostsIsRefused() {
        provider.stubFor(get(urlEqualTo("/start")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://127.0.0.1:" + other.port() + "/steal")));
        other.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));

        ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest("/start", true, List.of()), "{}");

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, outcome);
        assertEquals("The provider redirected (HTTP 302) to 127.0.0.1, which is not among the connector's allowedHosts", failed.message());
        other.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aHostThatResolvesToLoopbackIsRefusedBeforeAnyRequest() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"reached\":true}")));
        AddressGuard noAllowList = new AddressGuard(List.of(), List.of(), true, InetAddress::getAllByName);

        ToolOutcome outcome = call(engine(noAllowList), manifest("/start", false, List.of()), "{}");

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, outcome);
        assertEquals(ToolOutcome.Failed.Reason.ADDRESS_REFUSED, failed.reason());
        assertTrue(failed.message().contains("(localhost) resolves to a private or internal address"), failed.message());
        assertFalse(failed.message().contains(API_KEY));
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void theOperatorsAllowListOpensTheSameHost() {
        provider.stubFor(get(urlEqualTo("/start")).willReturn(aResponse().withStatus(200).withBody("{\"reached\":true}")));

        ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest("/start", false, List.of()), "{}");

        assertTrue(assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("reached").asBoolean());
    }

    @Test
    void theConnectionGoesToTheAddressTheGuardCheckedNotToASecondLookup() {
        // Only the guard's resolver knows this name; the HTTP client could not resolve it by itself.
        AddressGuard pinned = new AddressGuard(List.of("127.0.0.0/8"), List.of(), true, host -> {
            if (host.equals("provider.polymux.test")) {
                return new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
            }
            throw new UnknownHostException(host);
        });
        provider.stubFor(get(urlEqualTo("/start")).withHeader("Host", equalTo("provider.polymux.test:" + provider.port()))
                .willReturn(aResponse().withStatus(200).withBody("{\"pinned\":true}")));
        JsonNode manifest = json(manifest("/start", false, List.of()).toString().replace("localhost", "provider.polymux.test"));

        ToolOutcome outcome = call(engine(pinned), manifest, "{}");

        assertTrue(assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("pinned").asBoolean(), outcome.toString());
    }

    @Test
    void anAnswerLargerThanTheCapIsOutputTooLargeNamingItsSize() {
        byte[] large = new byte[2 * 1024 * 1024];
        Arrays.fill(large, (byte) 'a');
        provider.stubFor(get(urlEqualTo("/start")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Length", String.valueOf(large.length)).withBody(large)));

        ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest("/start", false, List.of()), "{}");

        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, outcome);
        assertEquals(ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE, failed.reason());
        assertTrue(failed.message().contains("2097152 bytes, more than the 262144 bytes"), failed.message());
    }

    @Test
    void aStreamedAnswerIsCutAtTheCapWithoutWaitingForTheRest() throws Exception {
        try (SlowServer slow = new SlowServer(200)) {
            Instant started = Instant.now();
            ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest(slow.baseUrl(), "/slow", false, List.of()), "{}");

            ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, outcome);
            assertEquals(ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE, failed.reason());
            assertTrue(failed.message().contains("more than 262144 bytes"), failed.message());
            assertTrue(Duration.between(started, Instant.now()).toMillis() < 4000, "the rest of the 2 MiB was waited for");
            assertTrue(slow.stoppedEarly.get(5, TimeUnit.SECONDS), "the connection was not closed at the cap");
        }
    }

    @Test
    void anErrorAnswerIsReadOnlyAsAShortExcerpt() throws Exception {
        try (SlowServer slow = new SlowServer(500)) {
            Instant started = Instant.now();
            ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest(slow.baseUrl(), "/slow", false, List.of()), "{}");

            assertEquals(500, assertInstanceOf(ToolOutcome.RetriableFailure.class, outcome).status());
            assertTrue(Duration.between(started, Instant.now()).toMillis() < 4000, "the whole error body was read");
            assertTrue(slow.stoppedEarly.get(5, TimeUnit.SECONDS), "the connection was not closed after the excerpt");
        }
    }

    @Test
    void absentOptionalArgumentsInsideBodyArraysAndObjectsAreLeftOut() {
        provider.stubFor(post(urlEqualTo("/items")).willReturn(aResponse().withStatus(201).withBody("{\"created\":true}")));
        JsonNode manifest = json("""
                {"id":"bodies","version":"1.0.0","label":"Bodies","kind":"vault","auth":{"shape":{"kind":"single"}},
                 "tools":[{"name":"create","description":"Creates.","input":{"type":"object","properties":{
                     "title":{"type":"string"},"label":{"type":"string"},"note":{"type":"string"}},"required":["title"]},
                   "http":{"method":"POST","url":"%s/items","credential":{"placement":"header","name":"X-Api-Key"},
                     "body":{"title":"{title}","labels":["fixed","{label}",{"kind":"{label}"}],"meta":{"note":"{note}"}}}}],
                 "allowedHosts":["localhost:%d"]}""".formatted(provider.baseUrl(), provider.port()));

        ToolOutcome outcome = call(engine(LocalProviders.guard()), manifest, "{\"title\":\"t\"}");

        assertInstanceOf(ToolOutcome.Success.class, outcome);
        provider.verify(postRequestedFor(urlEqualTo("/items"))
                .withRequestBody(equalToJson("{\"title\":\"t\",\"labels\":[\"fixed\",{}],\"meta\":{}}")));
    }

    static HttpToolEngine engine(AddressGuard guard) {
        return new HttpToolEngine(LocalProviders.http(vertx, guard), JSON);
    }

    private static JsonNode manifest(String path, boolean followRedirects, List<String> moreHosts) {
        return manifest(provider.baseUrl(), path, followRedirects, moreHosts);
    }

    /** A vault connector with one GET tool at {@code baseUrl + path}, its key in X-Api-Key, allowed on baseUrl's host. */
    private static JsonNode manifest(String baseUrl, String path, boolean followRedirects, List<String> moreHosts) {
        String hostAndPort = baseUrl.replaceFirst("^https?://", "");
        StringBuilder hosts = new StringBuilder("\"" + hostAndPort + "\"");
        moreHosts.forEach(host -> hosts.append(",\"").append(host).append("\""));
        return json("""
                {"id":"outbound","version":"1.0.0","label":"Outbound","kind":"vault","auth":{"shape":{"kind":"single"}},
                 "tools":[{"name":"fetch","description":"Fetches.","input":{"type":"object"},
                   "http":{"method":"GET","url":"%s%s","followRedirects":%s,"credential":{"placement":"header","name":"X-Api-Key"}}}],
                 "allowedHosts":[%s]}""".formatted(baseUrl, path, followRedirects, hosts));
    }

    private static ToolOutcome call(HttpToolEngine engine, JsonNode manifest, String args) {
        return engine.dispatch(manifest, manifest.path("tools").path(0).path("name").asText(), json(args),
                Credentials.fields(Map.of("value", Secret.of(API_KEY))),
                new DispatchContext("call-" + System.nanoTime(), "acme", "inst-1", Instant.now().plusSeconds(10), null))
                .await().atMost(Duration.ofSeconds(15));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A provider that streams 2 MiB in 32 chunks of 64 KiB, one every 200 ms (about 6 s), without Content-Length;
     * {@code stoppedEarly} completes true when the client closed the connection before the end.
     */
    static final class SlowServer implements AutoCloseable {
        final CompletableFuture<Boolean> stoppedEarly = new CompletableFuture<>();
        private final ServerSocket server;
        private final Thread thread;

        SlowServer(int status) throws IOException {
            server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> serve(status), "slow-provider");
            thread.setDaemon(true);
            thread.start();
        }

        String baseUrl() {
            return "http://localhost:" + server.getLocalPort();
        }

        private void serve(int status) {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                byte[] head = new byte[8192];
                in.read(head); // the request; its content does not matter
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'a');
                for (int i = 0; i < 32; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(200);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stoppedEarly.complete(false);
            } catch (IOException e) {
                stoppedEarly.complete(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stoppedEarly.complete(false);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            thread.interrupt();
        }
    }
}
