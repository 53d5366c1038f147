package dev.polymux.dispatch.support;

import java.nio.file.Path;
import java.util.Map;

import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.ChildServiceResource;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;

/**
 * dispatch-service as built (its quarkus-app jar), as a process that can be killed with SIGKILL and restarted with
 * the same transactional id, as a crashed pod comes back. For integration tests, which run after packaging. Several
 * can run side by side as replicas of one consumer group when their transactional ids differ; each names itself in
 * the CloudEvents source of what it publishes ({@link #eventSource()}), so a test can tell whose commit a result was.
 */
public class DispatchChild extends ChildServiceResource {

    private final String transactionalId;

    public DispatchChild(String transactionalId) {
        this.transactionalId = transactionalId;
    }

    /** The replica's stable name: its producer's transactional id and its consumer's static group member id. */
    public String transactionalId() {
        return transactionalId;
    }

    /** The CloudEvents source of the results this replica publishes. */
    public String eventSource() {
        return "/polymux/dispatch-service/" + transactionalId;
    }

    @Override
    protected String module() {
        return "dispatch-service";
    }

    @Override
    protected boolean hasDatabase() {
        return false;
    }

    @Override
    protected Map<String, String> environment(Path workDir) {
        return Map.of("POLYMUX_SERVICE_TOKEN", TestTokens.service("dispatch-service", 24 * 3600).substring("Bearer ".length()),
                "POLYMUX_REGISTRY_PORT", String.valueOf(RegistryServiceChild.port),
                "POLYMUX_VAULT_PORT", String.valueOf(VaultServiceChild.port),
                "POLYMUX_OAUTH_PORT", String.valueOf(OAuthChild.port),
                "POLYMUX_DISPATCH_TRANSACTIONAL_ID", transactionalId,
                "POLYMUX_DISPATCH_EVENT_SOURCE", eventSource(),
                // The provider stub listens on loopback over http, which the production address guard refuses.
                "POLYMUX_CONNECTORS_ALLOWED_PRIVATE_HOSTS", "localhost,127.0.0.0/8,::1",
                "POLYMUX_CONNECTORS_ALLOW_PLAIN_HTTP", "true");
    }

    @Override
    protected Map<String, String> configForTheAppUnderTest(int httpPort) {
        return Map.of();
    }
}
