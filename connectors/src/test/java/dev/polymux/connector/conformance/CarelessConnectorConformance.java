package dev.polymux.connector.conformance;

import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.sdk.ConnectorHandler;
import io.smallrye.mutiny.Uni;

/**
 * The kit run against {@link CarelessOAuthConnector}. Not a *Test class on purpose: the build does not run it
 * directly (it must fail); {@link OAuthConformanceKitTest} runs it and checks that it fails where it should.
 */
class CarelessConnectorConformance extends OAuthConformanceKit {

    @Override
    protected Uni<ConnectorHandler> connector(ProviderEndpoints endpoints, OAuthClientRegistration client) {
        return Uni.createFrom().item(new CarelessOAuthConnector(endpoints, client));
    }
}
