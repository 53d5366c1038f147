package dev.polymux.console.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.polymux.testing.service.RegistryServiceChild;

/**
 * The real registry-service as a child process, trusting the tokens the console's local sign-in mints (the test's
 * {@link LocalSigningKey} and issuer, as deploy/local/up makes every service trust the stack's key); the console's
 * rest client points at it.
 */
public class RegistryForTheConsole extends RegistryServiceChild {

    @Override
    protected Map<String, String> environment(Path workDir) {
        Map<String, String> env = new HashMap<>(super.environment(workDir));
        env.put("QUARKUS_OIDC_PUBLIC_KEY", LocalSigningKey.publicKey());
        env.put("QUARKUS_OIDC_TOKEN_ISSUER", LocalSigningKey.ISSUER);
        return env;
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return Map.of("quarkus.rest-client.registry.url", "http://localhost:" + httpPort);
    }
}
