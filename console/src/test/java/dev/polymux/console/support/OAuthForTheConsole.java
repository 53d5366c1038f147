package dev.polymux.console.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.polymux.testing.service.ChildServiceResource;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;

/**
 * The real oauth-service as a child process (after the registry and vault children, whose ports it needs), trusting
 * the console's local signing key like {@link RegistryForTheConsole}, with its own service token signed by that key.
 * It sends browsers back only to the console under test ({@value #CONSOLE_ORIGIN}); its authorize links name its own
 * address (APP_URL), so the browser reaches it directly. The OAuth client of {@link #CONNECTOR} (an authorization-code
 * connector at {@link AuthorizationServerForTheConsole}) is configured here, as an operator would.
 */
public class OAuthForTheConsole extends ChildServiceResource {

    public static final String CONSOLE_ORIGIN = "http://localhost:18185";
    public static final String CONNECTOR = "console-acme";
    public static volatile int port;

    @Override
    protected String module() {
        return "oauth-service";
    }

    @Override
    public int order() {
        return super.order() + 1; // after vault-service and registry-service, whose ports it needs
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_OIDC_PUBLIC_KEY", LocalSigningKey.publicKey());
        env.put("QUARKUS_OIDC_TOKEN_ISSUER", LocalSigningKey.ISSUER);
        env.put("POLYMUX_SERVICE_TOKEN", LocalSigningKey.serviceToken("oauth-service"));
        env.put("POLYMUX_VAULT_PORT", String.valueOf(VaultServiceChild.port));
        env.put("POLYMUX_REGISTRY_PORT", String.valueOf(RegistryServiceChild.port));
        env.put("POLYMUX_OAUTH_ALLOWED_RETURN_ORIGINS", CONSOLE_ORIGIN);
        // The child's port is chosen before this is asked, and names its work directory (<module>-<port>).
        String name = workDir.getFileName().toString();
        env.put("APP_URL", "http://localhost:" + name.substring(name.lastIndexOf('-') + 1));
        // The authorization server is mock-oauth2-server on loopback, over plain http: allowed here only.
        env.put("POLYMUX_CONNECTORS_ALLOWED_PRIVATE_HOSTS", "localhost,127.0.0.0/8,::1");
        env.put("POLYMUX_CONNECTORS_ALLOW_PLAIN_HTTP", "true");
        // Plain http here: the browser-binding cookie cannot be Secure, or it would never come back to the callback.
        env.put("POLYMUX_OAUTH_SECURE_COOKIES", "false");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__CONSOLE_ACME__CLIENT_ID", "polymux-console-test");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__CONSOLE_ACME__CLIENT_SECRET", "console-test-client-secret");
        // The mqtt integration's setup step may connect to loopback only.
        env.put("POLYMUX_CONNECTORS_MQTT_ALLOWED_BROKER_HOSTS", "127.0.0.1");
        return env;
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return Map.of("quarkus.rest-client.oauth.url", "http://localhost:" + httpPort);
    }
}
