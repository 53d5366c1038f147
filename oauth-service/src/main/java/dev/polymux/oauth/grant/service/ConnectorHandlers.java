package dev.polymux.oauth.grant.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.builtin.BuiltinConnectors;
import dev.polymux.connector.config.ConnectorsConfig;
import dev.polymux.connector.engine.DeclarativeConnector;
import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.HttpToolEngine;
import dev.polymux.connector.engine.OAuthSettings;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.oauth.installation.KnownInstallation;
import io.smallrye.mutiny.Uni;

/**
 * The handler that runs an installation's grant: the connector's Java handler when its manifest names one that is
 * registered (google-drive), otherwise the declarative engine built from the pinned manifest, once per connector
 * version (OIDC discovery, when the manifest uses it, happens then).
 */
@ApplicationScoped
public class ConnectorHandlers {

    /** A handler and the manifest's OAuth settings (PKCE, refresh window, lifetimes). */
    public record GrantHandler(ConnectorHandler handler, OAuthSettings settings) {
    }

    private final ConnectorRegistry registry;
    private final DeclarativeOAuth oauth;
    private final HttpToolEngine tools;
    private final ConnectorsConfig config;
    private final ObjectMapper mapper;
    private final Map<String, Uni<GrantHandler>> byVersion = new ConcurrentHashMap<>();

    public ConnectorHandlers(ConnectorRegistry registry, DeclarativeOAuth oauth, HttpToolEngine tools, ConnectorsConfig config,
            ObjectMapper mapper) {
        this.registry = registry;
        this.oauth = oauth;
        this.tools = tools;
        this.config = config;
        this.mapper = mapper;
    }

    /** Cached per connector version: the manifest is parsed and the handler built once, on first use. */
    public Uni<GrantHandler> of(KnownInstallation installation) {
        return byVersion.computeIfAbsent(installation.connectorId + "@" + installation.connectorVersion,
                key -> build(parse(installation.manifest))
                        .onFailure().invoke(() -> byVersion.remove(key))
                        .memoize().indefinitely());
    }

    /** The handler of a manifest (test-connector runs manifests that are not published yet). */
    public Uni<GrantHandler> forManifest(JsonNode manifest) {
        return build(manifest);
    }

    private Uni<GrantHandler> build(JsonNode manifest) {
        OAuthSettings settings = OAuthSettings.from(manifest);
        String handlerId = manifest.path("handler").asText(null);
        if (handlerId != null && registry.find(handlerId).isPresent()) {
            return Uni.createFrom().item(new GrantHandler(registry.require(handlerId), settings));
        }
        return DeclarativeConnector.create(manifest, BuiltinConnectors.oauthClient(settings.connectorId(), config), oauth, tools)
                .map(connector -> new GrantHandler(connector, settings));
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored connector manifest is not JSON", e);
        }
    }
}
