package dev.polymux.console.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.polymux.testing.service.VaultServiceChild;

/**
 * The real vault-service as a child process, trusting the tokens the console's local sign-in mints (as
 * {@link RegistryForTheConsole} does); the console's vault rest client points at it.
 */
public class VaultForTheConsole extends VaultServiceChild {

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
        return Map.of("quarkus.rest-client.vault.url", "http://localhost:" + httpPort);
    }
}
