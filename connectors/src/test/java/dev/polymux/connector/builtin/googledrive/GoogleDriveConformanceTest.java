package dev.polymux.connector.builtin.googledrive;

import java.time.Clock;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.connector.engine.LocalProviders;
import dev.polymux.connector.conformance.OAuthConformanceKit;
import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.sdk.ConnectorHandler;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import dev.polymux.connector.net.ProviderHttp;

/** The reference Java OAuth connector passes the conformance kit. */
@QuarkusTest
class GoogleDriveConformanceTest extends OAuthConformanceKit {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    OidcClients oidcClients;

    @Inject
    Vertx vertx;

    @Override
    protected Uni<ConnectorHandler> connector(ProviderEndpoints endpoints, OAuthClientRegistration client) {
        ObjectNode manifest = pointedAt(GoogleDriveConnector.manifest(), endpoints);
        ProviderHttp web = LocalProviders.http(vertx);
        return GoogleDriveConnector.create(manifest, client, new DeclarativeOAuth(oidcClients, web, JSON, Clock.systemUTC(), LocalProviders.options()),
                web, JSON, "http://localhost:1").map(ConnectorHandler.class::cast);
    }
}
