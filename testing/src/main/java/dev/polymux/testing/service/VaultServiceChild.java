package dev.polymux.testing.service;

import java.nio.file.Path;
import java.util.Map;

/**
 * The real vault-service beside the app under test, with a keyset of its own: credentials and token sets go there
 * over its REST and gRPC APIs; the app under test's {@code vault} gRPC client points at it.
 */
public class VaultServiceChild extends ChildServiceResource {

    /** The child's port, for tests that call its REST API. */
    public static volatile int port;

    @Override
    protected String module() {
        return "vault-service";
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        return Map.of("POLYMUX_VAULT_KEK_LOCAL_KEYSET_FILE", workDir.resolve("keyset").toString(),
                "POLYMUX_VAULT_KEK_LOCAL_CREATE_IF_MISSING", "true");
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return grpcClient("vault", httpPort);
    }
}
