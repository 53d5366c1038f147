package dev.polymux.dispatch.support;

import java.nio.file.Path;
import java.util.Map;

import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.ChildServiceResource;
import dev.polymux.testing.service.VaultServiceChild;

/**
 * The real oauth-service, keeping its token sets in {@link VaultServiceChild} (started first): grants of the test's
 * client-credentials connector against {@link AuthorizationServer}, and GetAccessToken / Invalidate for dispatch.
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
        return Map.of("POLYMUX_SERVICE_TOKEN", TestTokens.service("oauth-service", 24 * 3600).substring("Bearer ".length()),
                "POLYMUX_VAULT_PORT", String.valueOf(VaultServiceChild.port),
                "POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_OAUTH__CLIENT_ID", "polymux-dispatch-test",
                "POLYMUX_CONNECTORS_OAUTH_CLIENTS__ACME_OAUTH__CLIENT_SECRET", "dispatch-test-client-secret");
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return grpcClient("oauth", httpPort);
    }
}
