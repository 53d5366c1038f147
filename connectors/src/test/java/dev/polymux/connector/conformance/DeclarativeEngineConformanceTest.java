package dev.polymux.connector.conformance;

import java.time.Clock;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.connector.engine.LocalProviders;
import dev.polymux.connector.builtin.InTreeManifests;
import dev.polymux.connector.engine.DeclarativeConnector;
import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.HttpToolEngine;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.sdk.ConnectorHandler;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import dev.polymux.connector.net.ProviderHttp;

/** The declarative engine passes the kit, with the in-tree github manifest pointed at the kit's providers. */
@QuarkusTest
class DeclarativeEngineConformanceTest extends OAuthConformanceKit {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    OidcClients oidcClients;

    @Inject
    Vertx vertx;

    @Override
    protected Uni<ConnectorHandler> connector(ProviderEndpoints endpoints, OAuthClientRegistration client) {
        ObjectNode manifest = pointedAt(InTreeManifests.load("github"), endpoints);
        if (!new ManifestValidator(LocalProviders.ALLOWED_PRIVATE_HOSTS).validateConnector(manifest).isEmpty()) {
            throw new IllegalStateException("the adapted manifest is invalid: " + new ManifestValidator(LocalProviders.ALLOWED_PRIVATE_HOSTS).validateConnector(manifest));
        }
        ProviderHttp web = LocalProviders.http(vertx);
        return DeclarativeConnector.create(manifest, client, new DeclarativeOAuth(oidcClients, web, JSON, Clock.systemUTC(), LocalProviders.options()),
                new HttpToolEngine(web, JSON)).map(ConnectorHandler.class::cast);
    }
}
