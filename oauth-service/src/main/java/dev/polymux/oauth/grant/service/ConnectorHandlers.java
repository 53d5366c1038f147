package dev.polymux.oauth.grant.service;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.polymux.connector.engine.DeclarativeConnector;
import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.HttpToolEngine;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.engine.OAuthSettings;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.oauth.clientregistration.service.ClientRegistrations;
import dev.polymux.oauth.installation.KnownInstallation;
import io.smallrye.mutiny.Uni;

/**
 * The handler that runs an installation's grant: the connector's Java handler when its manifest names one that is
 * registered (google-drive), otherwise the declarative engine built from the pinned manifest, with the OAuth client
 * the installation's tenant runs with (its own, else the platform's; {@link ClientRegistrations}). Built once per
 * connector version and client (OIDC discovery, when the manifest uses it, happens then), in a bounded cache.
 * <p>
 * The pinned manifest is the approved version the registry installed, so a registered client is only ever used
 * with the endpoints of an approved connector version; manifests from a request never reach a registered client.
 */
@ApplicationScoped
public class ConnectorHandlers {

    /** A handler and the manifest's OAuth settings (PKCE, refresh window, lifetimes). */
    public record GrantHandler(ConnectorHandler handler, OAuthSettings settings) {
    }

    private final ConnectorRegistry registry;
    private final DeclarativeOAuth oauth;
    private final HttpToolEngine tools;
    private final ClientRegistrations clients;
    private final ObjectMapper mapper;
    private final Cache<String, Uni<GrantHandler>> byVersionAndClient = Caffeine.newBuilder().maximumSize(1_000).build();

    public ConnectorHandlers(ConnectorRegistry registry, DeclarativeOAuth oauth, HttpToolEngine tools, ClientRegistrations clients,
            ObjectMapper mapper) {
        this.registry = registry;
        this.oauth = oauth;
        this.tools = tools;
        this.clients = clients;
        this.mapper = mapper;
    }

    /** The installation's handler: the manifest is parsed and the handler built once per version and client, on first use. */
    public Uni<GrantHandler> of(KnownInstallation installation) {
        return clients.effective(installation.tenant, installation.connectorId).flatMap(effective -> {
            String key = installation.connectorId + "@" + installation.connectorVersion + "|" + effective.identity();
            return byVersionAndClient.get(key, k -> build(parse(installation.manifest), effective.client())
                    .onFailure().invoke(() -> byVersionAndClient.invalidate(k))
                    .memoize().indefinitely());
        });
    }

    /**
     * The handler of an approved manifest (test-connector of a published connector), with the client the caller's
     * tenant runs with, or with the one {@code supplied} for this request. Not cached.
     */
    public Uni<GrantHandler> forApproved(JsonNode approvedManifest, String tenant, OAuthClientRegistration supplied) {
        if (supplied != null) {
            return build(approvedManifest, supplied);
        }
        return clients.effective(tenant, approvedManifest.path("id").asText()).flatMap(effective -> build(approvedManifest, effective.client()));
    }

    private Uni<GrantHandler> build(JsonNode manifest, OAuthClientRegistration client) {
        OAuthSettings settings = OAuthSettings.from(manifest);
        String handlerId = manifest.path("handler").asText(null);
        if (handlerId != null && registry.find(handlerId).isPresent()) {
            return Uni.createFrom().item(() -> new GrantHandler(registry.require(handlerId).withOAuthClient(client), settings));
        }
        return DeclarativeConnector.create(manifest, client, oauth, tools).map(connector -> new GrantHandler(connector, settings));
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored connector manifest is not JSON", e);
        }
    }
}
