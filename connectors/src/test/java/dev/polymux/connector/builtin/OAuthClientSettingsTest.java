package dev.polymux.connector.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.polymux.connector.config.ConnectorsConfig;
import dev.polymux.connector.engine.OAuthClientRegistration;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** An operator sets a connector's OAuth client as the README says, by environment variable, and it is found. */
class OAuthClientSettingsTest {

    @Test
    void aClientSetByEnvironmentVariableIsFoundForAConnectorWithADashInItsId() {
        ConnectorsConfig config = new SmallRyeConfigBuilder().withMapping(ConnectorsConfig.class)
                .withSources(new EnvConfigSource(Map.of("POLYMUX_CONNECTORS_OAUTH_CLIENTS__GOOGLE_DRIVE__CLIENT_ID", "drive-client",
                        "POLYMUX_CONNECTORS_OAUTH_CLIENTS__GOOGLE_DRIVE__CLIENT_SECRET", "drive-secret"), 300) {
                }).build().getConfigMapping(ConnectorsConfig.class);
        OAuthClientRegistration client = BuiltinConnectors.oauthClient("google-drive", config);
        assertEquals("drive-client", client.clientId());
        assertEquals("drive-secret", client.clientSecret().reveal());
    }
}
