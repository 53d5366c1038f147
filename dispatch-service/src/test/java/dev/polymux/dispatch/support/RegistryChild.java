package dev.polymux.dispatch.support;

import java.nio.file.Path;
import java.util.Map;

import dev.polymux.testing.service.ChildServiceResource;

/** The real registry-service: connectors, plugins, installations and their status, over its REST and gRPC APIs. */
public class RegistryChild extends ChildServiceResource {

    public static volatile int port;

    @Override
    protected String module() {
        return "registry-service";
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        // Test providers are stubs on http://localhost; production review refuses plain http.
        return Map.of("POLYMUX_REGISTRY_REVIEW_ALLOW_PLAIN_HTTP", "true");
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return Map.of("quarkus.grpc.clients.registry.host", "localhost", "quarkus.grpc.clients.registry.port", String.valueOf(httpPort),
                "quarkus.grpc.clients.registry.test-port", String.valueOf(httpPort));
    }
}
