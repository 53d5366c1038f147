package dev.polymux.oauth.setup;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.SetupStep;
import dev.polymux.connector.sdk.ToolOutcome;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * A test integration whose setup bootstraps something at the provider, as real ones do: "verify-key" checks the
 * API key, "register-webhook" creates a webhook (and says so, for the uninstall), against the test's stub provider
 * at {@link #providerUrl}. An {@code account} of {@value #STALL_CHECK} makes the webhook's check never answer, one of
 * {@value #STALL_UNDO} makes removing that webhook never answer (a provider that hangs).
 */
@ApplicationScoped
public class WebhookIntegration implements ConnectorHandler {

    public static final String ID = "webhook-test";
    public static volatile String providerUrl;
    public static final String STALL_CHECK = "stall-check";
    public static final String STALL_UNDO = "stall-undo";
    /** An account whose webhook is created at once but answered for only after the step's timeout (a slow provider). */
    public static final String LATE_CHECK = "late-check";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String label() {
        return "Webhook test";
    }

    @Override
    public List<String> scopes() {
        return List.of();
    }

    @Override
    public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
        return Uni.createFrom().item(new ToolOutcome.Failed(0, "no tools"));
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(new VerifyKey(), new RegisterWebhook());
    }

    private final class VerifyKey implements SetupStep {
        @Override
        public String id() {
            return "verify-key";
        }

        @Override
        public String title() {
            return "Verify the API key";
        }

        @Override
        public JsonNode fieldSchema() {
            return JSON.createObjectNode().put("type", "object").<com.fasterxml.jackson.databind.node.ObjectNode>set("properties",
                    JSON.createObjectNode().set("api_key", JSON.createObjectNode().put("type", "string").put("writeOnly", true)))
                    .set("required", JSON.createArrayNode().add("api_key"));
        }

        @Override
        public Uni<CheckResult> check(Map<String, Secret> values) {
            return call("GET", "/v1/me", values, null).map(response -> response.statusCode() == 200
                    ? CheckResult.passed("The key works.")
                    : CheckResult.failed("The provider refused the key " + values.get("api_key").reveal() + " (HTTP " + response.statusCode() + ")."));
        }
    }

    private final class RegisterWebhook implements SetupStep {
        @Override
        public String id() {
            return "register-webhook";
        }

        @Override
        public String title() {
            return "Register the webhook";
        }

        @Override
        public JsonNode fieldSchema() {
            return JSON.createObjectNode().put("type", "object");
        }

        @Override
        public Uni<CheckResult> check(Map<String, Secret> values) {
            String account = values.containsKey("account") ? values.get("account").reveal() : "";
            if (STALL_CHECK.equals(account)) {
                return Uni.createFrom().nothing();
            }
            return call("POST", "/v1/webhooks", values, "{\"url\":\"https://polymux.example/hooks\"}").map(response -> {
                if (response.statusCode() != 201) {
                    return CheckResult.failed("The webhook could not be registered (HTTP " + response.statusCode() + ").");
                }
                try {
                    String id = JSON.readTree(response.body()).path("id").asText();
                    return CheckResult.passed("Webhook registered.", STALL_UNDO.equals(account) ? Map.of("webhook_id", id, "stall", "undo")
                            : Map.of("webhook_id", id));
                } catch (IOException e) {
                    return CheckResult.failed("The provider's answer was not JSON.");
                }
            }).onItem().transformToUni(result -> LATE_CHECK.equals(account)
                    ? Uni.createFrom().item(result).onItem().delayIt().by(Duration.ofSeconds(SetupCheckTimeout.SECONDS + 2))
                    : Uni.createFrom().item(result));
        }

        @Override
        public Uni<Void> undo(Map<String, String> created, Map<String, Secret> values) {
            if ("undo".equals(created.get("stall"))) {
                return Uni.createFrom().nothing();
            }
            return call("DELETE", "/v1/webhooks/" + created.get("webhook_id"), values, null).replaceWithVoid();
        }
    }

    private Uni<HttpResponse<String>> call(String method, String path, Map<String, Secret> values, String body) {
        return Uni.createFrom().item(() -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(providerUrl + path)).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + values.getOrDefault("api_key", Secret.of("")).reveal())
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
