package dev.polymux.vault.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.KafkaEvents;

/**
 * Installations as the registry announces them: real installation events on the real broker, then a wait until
 * vault-service has taken them in.
 */
public final class Installations {

    public static final String SINGLE = "{\"kind\":\"single\",\"field\":\"value\",\"pattern\":\"^rk_(live|test)_[A-Za-z0-9]+$\",\"maxLength\":64}";
    public static final String PAIR = "{\"kind\":\"pair\"}";
    public static final String TUPLE = """
            {"kind":"tuple","fields":[{"name":"access_key","label":"Access key"},{"name":"secret_key","label":"Secret key"},
             {"name":"region","label":"Region","required":false,"secret":false}]}""";

    private Installations() {
    }

    /** A new installation of {@code tenant} with this shape (null for oauth), known to vault-service on return. */
    public static String created(String tenant, String kind, String shape, String installerBearer) {
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        send(ConnectionEventTypes.INSTALLATION_CREATED, tenant, id, kind, shape);
        // The PUT of nothing answers 404 until the event is in, then 400 (the body does not fit) or 409 (oauth).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> given()
                .header("Authorization", installerBearer).contentType("application/json").body("{}")
                .put("/tenants/" + tenant + "/credentials/" + id).statusCode() != 404);
        return id;
    }

    public static void removed(String tenant, String id, String kind) {
        send(ConnectionEventTypes.INSTALLATION_REMOVED, tenant, id, kind, null);
    }

    private static void send(String type, String tenant, String id, String kind, String shape) {
        String data = """
                {"tenantId":"%s","installationId":"%s","pluginId":"vault-test","pluginVersion":"1.0.0","connectionKey":"key",
                 "kind":"%s","connectorId":null,"status":"%s"%s}""".formatted(tenant, id, kind,
                ConnectionEventTypes.INSTALLATION_REMOVED.equals(type) ? "revoked" : "pending", shape == null ? "" : ",\"shape\":" + shape);
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":%s}""".formatted(UUID.randomUUID(), type, id, Instant.now(), data),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
    }
}
