package dev.polymux.oauth.support;

import java.nio.file.Path;
import java.util.Map;

import dev.polymux.testing.service.ChildServiceResource;

/** The real vault-service beside oauth-service under test: token sets go there over its gRPC API. */
public class VaultServiceChild extends ChildServiceResource {

    /** The child's port, for tests that read what the vault holds. */
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
        // test-port too: in tests, Quarkus points gRPC clients at the app under test itself unless told otherwise.
        return Map.of("quarkus.grpc.clients.vault.host", "localhost", "quarkus.grpc.clients.vault.port", String.valueOf(httpPort),
                "quarkus.grpc.clients.vault.test-port", String.valueOf(httpPort));
    }
}
