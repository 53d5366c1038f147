package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A poison corpus on the real broker, interleaved with good calls: every bad event lands on the DLQ unchanged with
 * its reason in the headers, gets an INVALID_EVENT result when its call id is readable, and the good calls around
 * them all succeed (the consumer never stalls).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class PoisonOnTheBrokerTest {

    /** One bad event: what it is, its bytes, the DLQ reason, and whether a call id can be read from it. */
    private record Poison(String kind, byte[] value, String reason, String callId) {
    }

    @Test
    void poisonGoesToTheDlqWithItsReasonAndGoodCallsAroundItSucceed() {
        Suite.published();
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"acme_live_poison\"}");
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/w-7")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"w-7\"}")));

        List<Poison> corpus = corpus(tenant);
        List<String> goodCalls = new ArrayList<>();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); KafkaEvents dlq = KafkaEvents.watch(EventTopics.TOOL_CALLS_DLQ);
                ToolCalls calls = new ToolCalls()) {
            for (Poison poison : corpus) {
                calls.publish(("poison-" + poison.kind()).getBytes(StandardCharsets.UTF_8), poison.value());
                String good = "good-" + UUID.randomUUID();
                goodCalls.add(good);
                calls.publish(ToolCalls.event(good, tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"w-7\"}", Instant.now().plusSeconds(30)));
            }
            calls.flush();

            for (String good : goodCalls) {
                JsonNode result = results.awaitCloudEvent(json -> good.equals(json.path("data").path("callId").asText()));
                assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            }
            for (Poison poison : corpus) {
                ConsumerRecord<String, String> dead = dlq.await(record -> ("poison-" + poison.kind()).equals(record.key()), KafkaEvents.DEFAULT_TIMEOUT);
                assertEquals(poison.reason(), header(dead, "polymux-dlq-reason"), poison.kind());
                assertTrue(header(dead, "polymux-dlq-source").startsWith(EventTopics.TOOL_CALLS + "-"), poison.kind());
                // Unchanged (a tombstone becomes an empty value: a Kafka message of ours always has one).
                String expected = poison.value() == null ? "" : new String(poison.value(), StandardCharsets.UTF_8);
                assertEquals(expected, Objects.requireNonNullElse(dead.value(), ""), poison.kind() + ": the DLQ keeps the event unchanged");
                if (poison.callId() != null) {
                    JsonNode invalid = results.awaitCloudEvent(json -> poison.callId().equals(json.path("data").path("callId").asText()));
                    assertEquals("INVALID_EVENT", invalid.path("data").path("error").path("code").asText(), poison.kind());
                }
            }
            // Exactly one result for every call id: no duplicates of anything above.
            List<ConsumerRecord<String, String>> all = results.allMatching(record -> true, Duration.ofSeconds(2));
            long distinct = all.stream().map(record -> KafkaEvents.parse(record.value()).path("data").path("callId").asText()).distinct().count();
            assertEquals(all.size(), distinct, "one result per call id");
        }
        assertTrue(corpus.size() >= 10, "at least ten kinds of bad event");
    }

    private static List<Poison> corpus(String tenant) {
        String schemaBreaker = "bad-schema-" + UUID.randomUUID();
        String unknownType = "bad-type-" + UUID.randomUUID();
        String badDeadline = "bad-deadline-" + UUID.randomUUID();
        String extraField = "extra-field-" + UUID.randomUUID();
        String badAttribute = "bad-attribute-" + UUID.randomUUID();
        String valid = ToolCalls.event("placeholder", tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"w-7\"}", Instant.now().plusSeconds(30));
        return List.of(
                new Poison("empty", new byte[0], "empty", null),
                new Poison("tombstone", null, "empty", null),
                new Poison("not-json", "{{{ not json".getBytes(StandardCharsets.UTF_8), "not-json", null),
                new Poison("not-utf8", new byte[] { (byte) 0xC3, (byte) 0x28, (byte) 0xFF }, "not-json", null),
                new Poison("json-array", "[1,2,3]".getBytes(StandardCharsets.UTF_8), "not-a-cloudevent", null),
                new Poison("no-specversion", valid.replace("\"specversion\":\"1.0\",", "").getBytes(StandardCharsets.UTF_8), "not-a-cloudevent", null),
                new Poison("unknown-type", valid.replace("placeholder", unknownType).replace("dev.polymux.tool.call.v1", "dev.polymux.tool.cancel.v1")
                        .getBytes(StandardCharsets.UTF_8), "unknown-type", unknownType),
                new Poison("missing-tool", valid.replace("placeholder", schemaBreaker).replace("\"tool\":\"get_widget\",", "")
                        .getBytes(StandardCharsets.UTF_8), "schema-violation", schemaBreaker),
                new Poison("bad-call-id", valid.replace("placeholder", "has spaces in it").getBytes(StandardCharsets.UTF_8), "schema-violation", null),
                new Poison("bad-deadline", valid.replace("placeholder", badDeadline).replaceAll("\"deadline\":\"[^\"]+\"", "\"deadline\":\"tomorrow\"")
                        .getBytes(StandardCharsets.UTF_8), "schema-violation", badDeadline),
                new Poison("extra-field", valid.replace("placeholder", extraField).replace("\"tool\":", "\"priority\":\"high\",\"tool\":")
                        .getBytes(StandardCharsets.UTF_8), "schema-violation", extraField),
                // CloudEvents attribute names are lowercase letters and digits; extensions that follow the rule are fine.
                new Poison("bad-attribute-name", valid.replace("placeholder", badAttribute).replace("\"specversion\"", "\"Trace-State\":\"x\",\"specversion\"")
                        .getBytes(StandardCharsets.UTF_8), "schema-violation", badAttribute),
                new Poison("oversize", ("{\"specversion\":\"1.0\",\"padding\":\"" + "x".repeat(300_000) + "\"}").getBytes(StandardCharsets.UTF_8),
                        "oversize", null));
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

}
