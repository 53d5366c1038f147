package dev.polymux.console.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.polymux.testing.service.RegistryServiceChild;

/**
 * The real registry-service as a child process that trusts the {@link PlatformIssuer}'s tokens (discovery and keys
 * from the issuer, as in production), not a configured public key; the console's rest client points at it.
 */
public class RegistryTrustingTheIssuer extends RegistryServiceChild {

    @Override
    protected Map<String, String> environment(Path workDir) {
        Map<String, String> env = new HashMap<>(super.environment(workDir));
        env.put("QUARKUS_OIDC_PUBLIC_KEY", ""); // empty is unset: keys come from the issuer
        env.put("QUARKUS_OIDC_AUTH_SERVER_URL", PlatformIssuer.issuerUrl());
        env.put("QUARKUS_OIDC_TOKEN_ISSUER", PlatformIssuer.issuerUrl());
        return env;
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return Map.of("quarkus.rest-client.registry.url", "http://localhost:" + httpPort);
    }
}
