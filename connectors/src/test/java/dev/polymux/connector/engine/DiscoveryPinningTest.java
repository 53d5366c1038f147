package dev.polymux.connector.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.sdk.ConnectorNotConfiguredException;
import io.vertx.mutiny.core.Vertx;

/** OIDC discovery documents are fetched from the address the guard checked, and not at all from a refused one. */
class DiscoveryPinningTest {

    private static WireMockServer idp;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        idp = new WireMockServer(options().dynamicPort());
        idp.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        idp.stop();
        vertx.closeAndAwait();
    }

    @Test
    void theDiscoveryDocumentComesFromTheAddressTheGuardChecked() {
        String base = "http://idp.polymux.test:" + idp.port();
        idp.stubFor(get(urlEqualTo("/pinned/.well-known/openid-configuration")).willReturn(aResponse().withStatus(200)
                .withBody("{\"issuer\":\"" + base + "/pinned\",\"authorization_endpoint\":\"" + base + "/pinned/authorize\","
                        + "\"token_endpoint\":\"" + base + "/pinned/token\"}")));
        // Only the guard's resolver knows this name; a client that resolved it again would not find it.
        AddressGuard guard = new AddressGuard(List.of("127.0.0.0/8"), List.of(), true, host -> {
            if (host.equals("idp.polymux.test")) {
                return new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
            }
            throw new UnknownHostException(host);
        });

        DeclarativeOAuth.Endpoints found = oauth(guard).endpoints(settings("pinned", base + "/pinned/.well-known/openid-configuration"))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals(base + "/pinned/token", found.tokenUrl());
    }

    @Test
    void aDiscoveryUrlOnLoopbackIsRefusedWithoutTheAllowListBeforeAnyRequest() {
        AddressGuard strict = new AddressGuard(List.of(), List.of(), true, InetAddress::getAllByName);
        String url = "http://localhost:" + idp.port() + "/refused/.well-known/openid-configuration";
        idp.resetRequests();

        ConnectorNotConfiguredException refused = assertThrows(ConnectorNotConfiguredException.class,
                () -> oauth(strict).endpoints(settings("refused", url)).await().atMost(Duration.ofSeconds(10)));

        assertTrue(refused.getMessage().contains("(localhost) resolves to a private or internal address"), refused.getMessage());
        idp.verify(0, anyRequestedFor(anyUrl()));
    }

    private static DeclarativeOAuth oauth(AddressGuard guard) {
        return new DeclarativeOAuth(null, LocalProviders.http(vertx, guard), new ObjectMapper(), Clock.systemUTC(),
                new DeclarativeOAuth.Options(guard, Duration.ofSeconds(5), Duration.ofHours(1), 10));
    }

    private static OAuthSettings settings(String id, String discoveryUrl) {
        try {
            return OAuthSettings.from(new ObjectMapper().readTree("""
                    {"id":"%s","version":"1.0.0","label":"Acme","kind":"oauth","auth":{"discoveryUrl":"%s","scopes":["openid"]},
                     "tools":[],"allowedHosts":["idp.polymux.test"]}""".formatted(id, discoveryUrl)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
