package dev.polymux.oauth.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.ChildServiceResource;
import dev.polymux.testing.service.VaultServiceChild;

/**
 * A second replica of oauth-service: this module as packaged ({@code target/quarkus-app}, so only in tests run after
 * {@code package}: *IT, failsafe), a separate JVM over the app under test's own database ({@link SharedDatabase}),
 * broker and vault-service ({@link VaultServiceChild}, started first). It runs its own refresh scheduler, with the
 * lease and token timeout given as init args ({@link #LEASE}, {@link #TOKEN_TIMEOUT}), as the app under test should.
 */
public class OAuthReplica extends ChildServiceResource {

    /** Init arg: polymux.oauth.refresh.lease of the replica (ISO-8601 duration). */
    public static final String LEASE = "lease";
    /** Init arg: polymux.connectors.oauth.token-timeout of the replica (ISO-8601 duration). */
    public static final String TOKEN_TIMEOUT = "token-timeout";

    /** The replica's HTTP (and gRPC) port and its management port, while it runs. */
    public static volatile int port;
    public static volatile int managementPort;

    private String lease;
    private String tokenTimeout;

    @Override
    public void init(Map<String, String> initArgs) {
        lease = initArgs.get(LEASE);
        tokenTimeout = initArgs.get(TOKEN_TIMEOUT);
    }

    @Override
    protected String module() {
        return "oauth-service";
    }

    @Override
    public int order() {
        return super.order() + 1; // after vault-service, whose port it needs
    }

    @Override
    protected String sharedDatabase() {
        SharedDatabase.sharedBy(this::stop); // stop() is idempotent: whichever runs first stops the process
        return SharedDatabase.name();
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        Map<String, String> env = new HashMap<>();
        env.put("POLYMUX_SERVICE_TOKEN", TestTokens.service("oauth-service", 24 * 3600).substring("Bearer ".length()));
        env.put("POLYMUX_VAULT_PORT", String.valueOf(VaultServiceChild.port));
        if (lease != null) {
            env.put("POLYMUX_OAUTH_REFRESH_LEASE", lease);
        }
        if (tokenTimeout != null) {
            env.put("POLYMUX_CONNECTORS_OAUTH_TOKEN_TIMEOUT", tokenTimeout);
        }
        // The provider runs on loopback, over plain http: allowed here only.
        env.put("POLYMUX_CONNECTORS_ALLOWED_PRIVATE_HOSTS", "localhost,127.0.0.0/8,::1");
        env.put("POLYMUX_CONNECTORS_ALLOW_PLAIN_HTTP", "true");
        env.put("POLYMUX_OAUTH_SECURE_COOKIES", "false");
        // The same OAuth client as the app under test (its %test profile): replicas share one client.
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_OAUTH__CLIENT_ID", "polymux-test");
        env.put("POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_OAUTH__CLIENT_SECRET", "polymux-test-secret");
        return env;
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        managementPort = managementPort();
        return Map.of();
    }
}
