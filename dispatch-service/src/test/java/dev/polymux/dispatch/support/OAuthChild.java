package dev.polymux.dispatch.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.ChildServiceResource;
import dev.polymux.testing.service.VaultServiceChild;

/**
 * The real oauth-service, keeping its token sets in {@link VaultServiceChild} (started first): grants of the test's
 * client-credentials connector and of the authorization-code connectors of {@link TokenLifetimes} against
 * {@link AuthorizationServer}, and GetAccessToken / Invalidate for dispatch.
 */
public class OAuthChild extends ChildServiceResource {

    public static volatile int port;

    @Override
    protected String module() {
        return "oauth-service";
    }

    @Override
    public int order() {
        return super.order() + 1; // after vault-service, whose port it needs
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        Map<String, String> env = new HashMap<>();
        env.put("POLYMUX_SERVICE_TOKEN", TestTokens.service("oauth-service", 24 * 3600).substring("Bearer ".length()));
        env.put("POLYMUX_VAULT_PORT", String.valueOf(VaultServiceChild.port));
        // The authorization server is mock-oauth2-server on loopback, over plain http: allowed here only.
        env.put("POLYMUX_CONNECTORS_ALLOWED_PRIVATE_HOSTS", "localhost,127.0.0.0/8,::1");
        env.put("POLYMUX_CONNECTORS_ALLOW_PLAIN_HTTP", "true");
        // Plain http here: the browser-binding cookie cannot be Secure, or it would never come back to the callback.
        env.put("POLYMUX_OAUTH_SECURE_COOKIES", "false");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_OAUTH__CLIENT_ID", "polymux-dispatch-test");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_OAUTH__CLIENT_SECRET", "dispatch-test-client-secret");
        // Authorization-code connectors with short-lived access tokens and rotated refresh tokens (TokenLifetimes).
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_SHORT__CLIENT_ID", "polymux-dispatch-test");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_SHORT__CLIENT_SECRET", "dispatch-test-client-secret");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_MINUTE__CLIENT_ID", "polymux-dispatch-test");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_MINUTE__CLIENT_SECRET", "dispatch-test-client-secret");
        // The mqtt integration's setup step connects to the test's Mosquitto on loopback.
        env.put("POLYMUX_CONNECTORS_MQTT_ALLOWED_BROKER_HOSTS", "127.0.0.1");
        // A client-credentials connector used through the built-in polymux.http_request action (BuiltinActionsTest).
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_PROXY__CLIENT_ID", "polymux-dispatch-test");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_PROXY__CLIENT_SECRET", "dispatch-test-client-secret");
        return env;
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return grpcClient("oauth", httpPort);
    }
}
