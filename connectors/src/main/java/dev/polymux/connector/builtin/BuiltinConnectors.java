package dev.polymux.connector.builtin;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.builtin.googledrive.GoogleDriveConnector;
import dev.polymux.connector.builtin.mqtt.MqttConnector;
import dev.polymux.connector.config.ConnectorsConfig;
import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.HttpToolEngine;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.net.ProviderHttp;
import dev.polymux.connector.sdk.Secret;
import io.quarkus.oidc.client.OidcClients;
import io.vertx.mutiny.core.Vertx;

/**
 * The in-tree connectors with code, as CDI beans: with {@link dev.polymux.connector.sdk.ConnectorRegistry} this is the
 * registry of connectors with code, found by id. Declarative connectors (github, stripe) need no entry: their manifests
 * are all there is. A new Java connector is one more producer here, or simply a {@code @ApplicationScoped} class
 * implementing ConnectorHandler.
 */
@ApplicationScoped
public class BuiltinConnectors {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The one guard for every outbound connection a manifest or provider names (polymux.connectors.allowed-private-hosts...). */
    @Produces
    @Singleton
    AddressGuard addressGuard(ConnectorsConfig config) {
        return AddressGuard.of(config.allowedPrivateHosts(), config.blockedRanges(), config.allowPlainHttp());
    }

    /**
     * The one HTTP client for provider calls (tools of declarative and Java connectors, OIDC discovery): guarded,
     * pinned to the checked address, no automatic redirects, answers capped at polymux.connectors.http.max-output-bytes.
     */
    @Produces
    @Singleton
    ProviderHttp providerHttp(Vertx vertx, ConnectorsConfig config, AddressGuard guard) {
        return ProviderHttp.create(vertx, guard, config.http().maxOutputBytes(), config.http().maxRedirects(),
                config.http().maxConnectionsPerHost());
    }

    @Produces
    @Singleton
    DeclarativeOAuth declarativeOAuth(OidcClients oidcClients, ProviderHttp http, ConnectorsConfig config, AddressGuard guard) {
        return new DeclarativeOAuth(oidcClients, http, JSON, Clock.systemUTC(), new DeclarativeOAuth.Options(guard,
                config.oauth().tokenTimeout(), config.oauth().discoveryTtl(), config.oauth().maxCachedClients()));
    }

    @Produces
    @Singleton
    HttpToolEngine httpToolEngine(ProviderHttp http) {
        return new HttpToolEngine(http, JSON);
    }

    @Produces
    @Singleton
    GoogleDriveConnector googleDrive(DeclarativeOAuth oauth, ProviderHttp http, ConnectorsConfig config) {
        return GoogleDriveConnector.create(oauthClient("google-drive", config), oauth, http, JSON);
    }

    @Produces
    @Singleton
    MqttConnector mqtt(Vertx vertx, ConnectorsConfig config, AddressGuard guard) {
        List<String> allowed = config.mqtt().allowedBrokerHosts().orElseGet(() -> {
            List<String> fromManifest = new ArrayList<>();
            InTreeManifests.load("mqtt").path("allowedHosts").forEach(host -> fromManifest.add(host.asText()));
            return fromManifest;
        });
        return new MqttConnector(vertx, allowed, guard);
    }

    /** The configured OAuth client; an empty one when unset, which fails the grant with a message naming the keys. */
    public static OAuthClientRegistration oauthClient(String connectorId, ConnectorsConfig config) {
        ConnectorsConfig.OAuthClient client = config.oauthClients().get(connectorId);
        if (client == null) {
            // From the environment (POLYMUX_CONNECTORS_OAUTH_CLIENTS__GOOGLE_DRIVE__CLIENT_ID), SmallRye Config cannot
            // tell a dash from a dot in a map key and yields "google.drive": match keys with the separators ignored.
            String wanted = separatorsIgnored(connectorId);
            client = config.oauthClients().entrySet().stream().filter(entry -> separatorsIgnored(entry.getKey()).equals(wanted))
                    .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
        }
        if (client == null || client.clientId().isEmpty()) {
            return new OAuthClientRegistration("", Secret.of(""));
        }
        return new OAuthClientRegistration(client.clientId().get(), Secret.of(client.clientSecret().orElse("")));
    }

    private static String separatorsIgnored(String key) {
        return key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
