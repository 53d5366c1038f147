package dev.polymux.dispatch.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.connector.sdk.ToolOutcome;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.connection.config.CredentialRejectionsConfig;
import dev.polymux.dispatch.connection.service.CredentialRejections;
import dev.polymux.dispatch.credential.service.CredentialSource;
import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.installation.service.InstallationResolver;
import dev.polymux.dispatch.support.DispatchSettings;
import dev.polymux.dispatch.throttle.service.Throttles;
import dev.polymux.dispatch.toolcall.service.ConnectorTools;
import dev.polymux.dispatch.toolcall.service.DispatchMetrics;
import dev.polymux.dispatch.toolcall.service.ToolCallExecutor;
import dev.polymux.dispatch.toolcall.service.ToolResults;
import dev.polymux.proto.registry.v1.ConnectionKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * The executor with the real {@link Throttles} and {@link ConnectorTools}: whatever a tool run throws, and wherever,
 * the installation's and the provider's permits are given back, so the installation's next call still runs.
 * (The installation and its credentials come from stand-ins of the registry and the vault: they are not under test.)
 */
class ToolCallExecutorPermitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aToolThatThrowsWhileItsRequestIsBuiltGivesItsPermitsBack() throws Exception {
        Harness harness = new Harness(ConnectionKind.CONNECTION_KIND_VAULT, "inst-throws");
        for (int i = 0; i < 20; i++) {
            JsonNode result = harness.run("explode");
            assertEquals("INTERNAL", result.path("error").path("code").asText(), result.toString());
        }
        assertEquals(0, harness.throttles.inFlight(harness.connection), "permits in use after 20 throwing calls");
        JsonNode ok = harness.run("echo");
        assertEquals("succeeded", ok.path("status").asText(), ok.toString());
        assertEquals(0, harness.throttles.inFlight(harness.connection));
    }

    @Test
    void credentialsThatThrowBeforeAnAttemptGiveThePermitsBack() throws Exception {
        Harness harness = new Harness(ConnectionKind.CONNECTION_KIND_OAUTH, "inst-token-throws");
        harness.throwOnAttempt.set(true);
        for (int i = 0; i < 20; i++) {
            JsonNode result = harness.run("echo");
            assertEquals("failed", result.path("status").asText(), result.toString());
        }
        assertEquals(0, harness.throttles.inFlight(harness.connection), "permits in use after 20 throwing token look-ups");
        harness.throwOnAttempt.set(false);
        JsonNode ok = harness.run("echo");
        assertEquals("succeeded", ok.path("status").asText(), ok.toString());
    }

    /** A Java handler whose "explode" tool throws as a buggy request builder would; "echo" succeeds. */
    static final class ThrowingHandler implements ConnectorHandler {
        @Override
        public String id() {
            return "throwing-test";
        }

        @Override
        public String label() {
            return "Throwing test";
        }

        @Override
        public List<String> scopes() {
            return List.of();
        }

        @Override
        public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
            if (tool.equals("explode")) {
                throw new NullPointerException("while filling the body");
            }
            return Uni.createFrom().item(new ToolOutcome.Success(JSON.createObjectNode().put("ok", true)));
        }
    }

    static final class Harness {
        final DispatchConfig config = DispatchSettings.with(Map.of("polymux.dispatch.throttle.concurrency-per-installation", "16",
                "polymux.dispatch.max-call-duration", "5s"));
        final Throttles throttles = new Throttles(config, new SimpleMeterRegistry());
        final AtomicBoolean throwOnAttempt = new AtomicBoolean();
        final ResolvedConnection connection;
        final ToolCallExecutor executor;

        Harness(ConnectionKind kind, String installationId) throws Exception {
            connection = new ResolvedConnection(installationId, "t-permits", "plugin", "key", kind, "throwing-test", "1.0.0", JSON.readTree("""
                    {"id":"throwing-test","handler":"throwing-test","tools":[{"name":"explode"},{"name":"echo"}]}"""), null);
            InstallationResolver resolver = new InstallationResolver(null, null, JSON, config) {
                @Override
                public Uni<ResolvedConnection> resolve(ToolCall call, Instant deadline) {
                    return Uni.createFrom().item(connection);
                }
            };
            CredentialSource credentials = new CredentialSource(null, null, null, config) {
                private int asked;

                @Override
                public Uni<Credentials> forCall(ResolvedConnection resolved, String purpose, Instant deadline) {
                    if (resolved.oauth() && asked++ % 2 == 1 && throwOnAttempt.get()) {
                        throw new IllegalStateException("token cache broke");
                    }
                    return Uni.createFrom().item(resolved.oauth()
                            ? Credentials.oauth(new TokenSet(Secret.of("access-token-x"), null, "Bearer", Instant.now().plusSeconds(3600), List.of(), Map.of()))
                            : Credentials.fields(Map.of("value", Secret.of("key-value-x"))));
                }
            };
            ConnectorTools tools = new ConnectorTools(new ConnectorRegistry(List.of(new ThrowingHandler())), null, null);
            executor = new ToolCallExecutor(resolver, tools, credentials, throttles, new ToolResults(JSON, config),
                    new DispatchMetrics(new SimpleMeterRegistry()), config, new CredentialRejections(new CredentialRejectionsConfig() {
                        @Override
                        public int threshold() {
                            return 3;
                        }

                        @Override
                        public Duration window() {
                            return Duration.ofMinutes(10);
                        }

                        @Override
                        public int maxTracked() {
                            return 100;
                        }
                    }, null, JSON, config));
        }

        JsonNode run(String tool) {
            ToolCall call = new ToolCall("call-" + java.util.UUID.randomUUID(), "t-permits", null, "plugin", "key", tool,
                    JSON.createObjectNode(), Instant.now().plusSeconds(5), null);
            return executor.execute(call, Instant.now(), null).await().atMost(Duration.ofSeconds(10)).result().data();
        }
    }
}
