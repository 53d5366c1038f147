package dev.polymux.connector.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.engine.OAuthSettings;
import dev.polymux.connector.sdk.ConnectorNotConfiguredException;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.connector.sdk.Secret;
import io.quarkus.test.junit.QuarkusTest;

/** The registry of connectors with code: the in-tree handlers are beans, found by id. */
@QuarkusTest
class BuiltinConnectorsTest {

    @Inject
    ConnectorRegistry registry;

    @Inject
    DeclarativeOAuth oauth;

    @Test
    void theInTreeHandlersAreRegisteredByIdAndDeclarativeOnesNeedNone() {
        assertEquals(List.of("google-drive", "mqtt"), List.copyOf(registry.ids()));
        assertTrue(registry.find("github").isEmpty(), "github is a manifest, not a handler");
    }

    @Test
    void googleDriveUsesTheConfiguredOAuthClient() {
        URI url = registry.require("google-drive").buildAuthorizeUrl("st", URI.create("https://polymux.example/cb"), "ch", List.of());
        assertTrue(url.toString().startsWith("https://accounts.google.com/o/oauth2/v2/auth?"), url.toString());
        assertTrue(url.getRawQuery().contains("client_id=test-drive-client"), url.toString());
        assertTrue(url.getRawQuery().contains("access_type=offline"), url.toString());
    }

    @Test
    void aConnectorWithoutItsOAuthClientSaysWhichKeysToSet() {
        OAuthSettings settings = OAuthSettings.from(InTreeManifests.load("github"));
        DeclarativeOAuth.Endpoints endpoints = oauth.endpoints(settings).await().indefinitely();
        ConnectorNotConfiguredException e = assertThrows(ConnectorNotConfiguredException.class, () -> oauth.authorizeUrl(endpoints, settings,
                new OAuthClientRegistration("", Secret.of("")), "st", URI.create("https://polymux.example/cb"), null, List.of()));
        assertEquals("GitHub is not set up on this platform yet: an operator has to register an OAuth client with the provider "
                + "and store it (PUT /admin/oauth-clients/github, or polymux.connectors.oauth-clients.\"github\".client-id and "
                + "client-secret), or the tenant brings its own (PUT /tenants/{tenant}/oauth-clients/github).", e.getMessage());
    }
}
