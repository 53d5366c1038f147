package dev.polymux.connector.builtin.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.builtin.InTreeManifests;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.SetupStep;
import dev.polymux.connector.sdk.ToolOutcome;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.mqtt.MqttClient;

/** The mqtt integration connector against a real Mosquitto broker. */
class MqttConnectorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path brokerDir;
    private static MosquittoBroker broker;
    private static Vertx vertx;
    private static MqttConnector connector;

    @BeforeAll
    static void start() throws Exception {
        broker = MosquittoBroker.start(brokerDir);
        vertx = Vertx.vertx();
        connector = new MqttConnector(vertx, List.of("127.0.0.1"), dev.polymux.connector.engine.LocalProviders.guard());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
    }

    @Test
    void theManifestIsValid() {
        assertEquals(List.of(), new ManifestValidator().validateConnector(InTreeManifests.load("mqtt")));
    }

    @Test
    void publishWithQos1ReachesASubscriber() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        MqttClientOptions options = new MqttClientOptions().setUsername(MosquittoBroker.USER).setPassword(MosquittoBroker.PASSWORD);
        MqttClient subscriber = MqttClient.create(vertx, options);
        subscriber.publishHandler(message -> received.complete(message.topicName() + " " + message.payload().toString()));
        subscriber.connect(broker.port(), "127.0.0.1").await().atMost(WAIT);
        subscriber.subscribe("polymux/test/#", MqttQoS.AT_LEAST_ONCE.value()).await().atMost(WAIT);
        Thread.sleep(200); // the SUBACK is not awaited by subscribe(); give the broker a moment to register it

        ToolOutcome outcome = publish(credentials(MosquittoBroker.PASSWORD), "{\"topic\":\"polymux/test/a\",\"payload\":\"hello broker\",\"qos\":1}");

        ToolOutcome.Success success = assertInstanceOf(ToolOutcome.Success.class, outcome);
        assertEquals(1, success.output().path("qos").asInt());
        assertEquals("polymux/test/a hello broker", received.get(10, TimeUnit.SECONDS));
        subscriber.disconnect().await().atMost(WAIT);
    }

    @Test
    void aWrongPasswordBreaksTheConnectionWithASentence() {
        ToolOutcome outcome = publish(credentials("not-the-password"), "{\"topic\":\"polymux/test/b\",\"payload\":\"x\"}");
        ToolOutcome.GrantBroken broken = assertInstanceOf(ToolOutcome.GrantBroken.class, outcome);
        assertEquals("The MQTT broker refused the username or password; update the connection's credentials.", broken.sentence());
        assertFalse(broken.sentence().contains("not-the-password"));
    }

    @Test
    void aBrokerOutsideTheAllowedHostsIsNeverContacted() {
        MqttConnector strict = new MqttConnector(vertx, List.of("*.hivemq.cloud"), dev.polymux.connector.engine.LocalProviders.guard());
        ToolOutcome outcome = strict.dispatchTool("publish", json("{\"topic\":\"t\",\"payload\":\"x\"}"),
                credentials(MosquittoBroker.PASSWORD), context()).await().atMost(WAIT);
        assertTrue(assertInstanceOf(ToolOutcome.Failed.class, outcome).message().startsWith("The broker host 127.0.0.1 is not among"));
    }

    @Test
    void aLoopbackBrokerIsRefusedWithoutTheOperatorsAllowListEvenWhenItsHostIsAllowed() {
        MqttConnector guarded = new MqttConnector(vertx, List.of("127.0.0.1"),
                new AddressGuard(List.of(), List.of(), false, InetAddress::getAllByName));
        ToolOutcome outcome = guarded.dispatchTool("publish", json("{\"topic\":\"t\",\"payload\":\"x\"}"),
                credentials(MosquittoBroker.PASSWORD), context()).await().atMost(WAIT);
        ToolOutcome.Failed failed = assertInstanceOf(ToolOutcome.Failed.class, outcome);
        assertEquals(ToolOutcome.Failed.Reason.ADDRESS_REFUSED, failed.reason());
        assertTrue(failed.message().contains("(127.0.0.1) resolves to a private or internal address"), failed.message());
        assertFalse(failed.message().contains(MosquittoBroker.PASSWORD));
    }

    @Test
    void theBrokerConnectionGoesToTheAddressTheGuardChecked() {
        // Only the guard's resolver knows this name: connecting works only if the client uses the checked address.
        AddressGuard pinned = new AddressGuard(List.of("127.0.0.0/8"), List.of(), false, host -> {
            if (host.equals("broker.polymux.test")) {
                return new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
            }
            throw new UnknownHostException(host);
        });
        MqttConnector guarded = new MqttConnector(vertx, List.of("broker.polymux.test"), pinned);
        Credentials byName = Credentials.fields(Map.of("broker_url", Secret.of(broker.url().replace("127.0.0.1", "broker.polymux.test")),
                "username", Secret.of(MosquittoBroker.USER), "password", Secret.of(MosquittoBroker.PASSWORD)));
        ToolOutcome outcome = guarded.dispatchTool("publish", json("{\"topic\":\"polymux/test/pinned\",\"payload\":\"x\"}"), byName,
                context()).await().atMost(WAIT);
        assertInstanceOf(ToolOutcome.Success.class, outcome, outcome.toString());
    }

    @Test
    void anUnreachableBrokerIsRetriable() {
        Credentials nowhere = Credentials.fields(Map.of("broker_url", Secret.of("mqtt://127.0.0.1:1"),
                "username", Secret.of(MosquittoBroker.USER), "password", Secret.of(MosquittoBroker.PASSWORD)));
        ToolOutcome outcome = publish(nowhere, "{\"topic\":\"t\",\"payload\":\"x\"}");
        assertInstanceOf(ToolOutcome.RetriableFailure.class, outcome);
    }

    @Test
    void theSetupStepTestsTheConnection() {
        SetupStep step = connector.setupSteps().get(0);
        assertEquals("test-connection", step.id());
        SetupStep.CheckResult passed = step.check(((Credentials.Fields) credentials(MosquittoBroker.PASSWORD)).values()).await().atMost(WAIT);
        assertTrue(passed.passed(), passed.message());
        SetupStep.CheckResult failed = step.check(((Credentials.Fields) credentials("wrong")).values()).await().atMost(WAIT);
        assertFalse(failed.passed());
        assertEquals("The MQTT broker refused the username or password; update the connection's credentials.", failed.message());
    }

    private static ToolOutcome publish(Credentials credentials, String args) {
        return connector.dispatchTool("publish", json(args), credentials, context()).await().atMost(WAIT);
    }

    private static Credentials credentials(String password) {
        return Credentials.fields(Map.of("broker_url", Secret.of(broker.url()), "username", Secret.of(MosquittoBroker.USER),
                "password", Secret.of(password)));
    }

    private static DispatchContext context() {
        return new DispatchContext("call-" + System.nanoTime(), "acme", "inst-1", Instant.now().plusSeconds(10), null);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
