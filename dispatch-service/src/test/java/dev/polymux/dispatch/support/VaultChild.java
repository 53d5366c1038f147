package dev.polymux.dispatch.support;

import java.nio.file.Path;
import java.util.Map;

import dev.polymux.testing.service.ChildServiceResource;

/** The real vault-service: credentials stored over REST, read by dispatch (and oauth-service) over gRPC. */
public class VaultChild extends ChildServiceResource {

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
        return Map.of("quarkus.grpc.clients.vault.host", "localhost", "quarkus.grpc.clients.vault.port", String.valueOf(httpPort),
                "quarkus.grpc.clients.vault.test-port", String.valueOf(httpPort));
    }
}
