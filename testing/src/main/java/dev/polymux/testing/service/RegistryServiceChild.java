package dev.polymux.testing.service;

import java.nio.file.Path;
import java.util.Map;

/**
 * The real registry-service beside the app under test: connectors, plugins, installations and their status over its
 * REST API; the app under test's {@code registry} gRPC client points at it. Its review accepts plain-http
 * providers and loopback hosts (as deploy/local/up does), since test providers are stubs on http://localhost.
 */
public class RegistryServiceChild extends ChildServiceResource {

    /** The child's port, for tests that call its REST API. */
    public static volatile int port;

    @Override
    protected String module() {
        return "registry-service";
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        return Map.of("POLYMUX_REGISTRY_REVIEW_ALLOW_PLAIN_HTTP", "true",
                "POLYMUX_CONNECTORS_ALLOWED_PRIVATE_HOSTS", "localhost,127.0.0.0/8,::1");
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        port = httpPort;
        return grpcClient("registry", httpPort);
    }
}
