package dev.polymux.connector.builtin.mqtt;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.SetupStep;
import dev.polymux.connector.sdk.ToolOutcome;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.smallrye.mutiny.Uni;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.MqttConnectionException;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.mqtt.MqttClient;

/**
 * MQTT, an integration connector: the transport is not HTTP and the installer supplies a tuple (broker_url,
 * username, password). {@code publish} connects, publishes with the requested QoS, waits for the broker's
 * acknowledgement (QoS 1 and 2) and disconnects, all within the call's deadline.
 * <p>
 * Broker hosts are checked against an allow-list (the manifest's allowedHosts unless the operator gives another),
 * because a URL pasted by an installer must not become a way into the platform's own network; on top of that the
 * {@link AddressGuard} checks the resolved address and the connection goes to exactly that address.
 */
public final class MqttConnector implements ConnectorHandler {

    private final Vertx vertx;
    private final List<String> allowedBrokerHosts;
    private final AddressGuard guard;

    /**
     * @param allowedBrokerHosts polymux.connectors.mqtt.allowed-broker-hosts (or the manifest's allowedHosts)
     * @param guard              checked on top: an allowed broker name must still resolve to a public address unless
     *                           an operator allowed it (polymux.connectors.allowed-private-hosts)
     */
    public MqttConnector(Vertx vertx, List<String> allowedBrokerHosts, AddressGuard guard) {
        this.vertx = vertx;
        this.allowedBrokerHosts = allowedBrokerHosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList();
        this.guard = guard;
    }

    @Override
    public String id() {
        return "mqtt";
    }

    @Override
    public String label() {
        return "MQTT";
    }

    @Override
    public List<String> scopes() {
        return List.of();
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(new TestConnectionStep());
    }

    @Override
    public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
        if (!"publish".equals(tool)) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments("MQTT has no tool '" + tool + "'; it offers [publish]", List.of()));
        }
        if (!(credentials instanceof Credentials.Fields fields)) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "MQTT needs the connection's broker_url, username and password"));
        }
        Duration timeout = context.remaining(Instant.now());
        MqttQoS qos = MqttQoS.valueOf(args.path("qos").asInt(1));
        Buffer payload = Buffer.buffer(args.path("payload").asText());
        return withClient(fields.values(), "polymux-" + context.callId(), timeout, client -> publishAndWait(client,
                args.path("topic").asText(), payload, qos, args.path("retain").asBoolean(false))
                .map(messageId -> (ToolOutcome) new ToolOutcome.Success(JsonNodeFactory.instance.objectNode()
                        .put("topic", args.path("topic").asText()).put("qos", qos.value()).put("messageId", messageId))));
    }

    /** Connects with the installer's credentials, runs the work, disconnects; failures become outcomes. */
    private Uni<ToolOutcome> withClient(Map<String, Secret> fields, String clientId, Duration timeout,
            java.util.function.Function<MqttClient, Uni<ToolOutcome>> work) {
        Broker broker;
        try {
            broker = Broker.parse(fields.get("broker_url"));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments(e.getMessage(), List.of()));
        }
        if (!allowed(broker.host())) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "The broker host " + broker.host()
                    + " is not among the MQTT hosts this platform allows; ask an operator to allow it"));
        }
        // The connection goes to the address the guard checked, not to a second lookup of the name (DNS rebinding).
        return guard.checkedHostAddress(broker.host(), "the MQTT broker")
                .onItem().transformToUni(address -> connect(broker, address, fields, clientId, timeout, work))
                .onFailure(AddressGuard.AddressRefusedException.class).recoverWithItem(refused -> new ToolOutcome.Failed(0,
                        refused.getMessage(), ToolOutcome.Failed.Reason.ADDRESS_REFUSED));
    }

    private Uni<ToolOutcome> connect(Broker broker, java.net.InetAddress address, Map<String, Secret> fields, String clientId,
            Duration timeout, java.util.function.Function<MqttClient, Uni<ToolOutcome>> work) {
        MqttClientOptions options = new MqttClientOptions();
        options.setClientId(clientId);
        options.setAutoKeepAlive(true);
        options.setSsl(broker.tls());
        options.setConnectTimeout((int) Math.max(1, Math.min(timeout.toMillis(), Integer.MAX_VALUE)));
        if (fields.get("username") != null && !fields.get("username").isEmpty()) {
            options.setUsername(fields.get("username").reveal());
        }
        if (fields.get("password") != null && !fields.get("password").isEmpty()) {
            options.setPassword(fields.get("password").reveal());
        }
        MqttClient client = MqttClient.create(vertx, options);
        return client.connect(broker.port(), address.getHostAddress(), broker.host())
                .flatMap(ack -> work.apply(client))
                .ifNoItem().after(timeout.isZero() ? Duration.ofMillis(1) : timeout)
                .recoverWithItem(() -> new ToolOutcome.RetriableFailure(0, Optional.empty(),
                        "The MQTT broker did not answer within the call's deadline"))
                .onFailure().recoverWithItem(MqttConnector::failure)
                .eventually(() -> client.isConnected() ? client.disconnect().onFailure().recoverWithNull() : Uni.createFrom().voidItem());
    }

    /** Publishes and, for QoS 1 and 2, waits for the broker's acknowledgement of this message. */
    private static Uni<Integer> publishAndWait(MqttClient client, String topic, Buffer payload, MqttQoS qos, boolean retain) {
        if (qos == MqttQoS.AT_MOST_ONCE) {
            return client.publish(topic, payload, qos, false, retain);
        }
        return Uni.createFrom().emitter(emitter -> {
            java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger(-1);
            client.publishCompletionHandler(acknowledged -> {
                if (acknowledged == sent.get()) {
                    emitter.complete(acknowledged);
                }
            });
            client.publish(topic, payload, qos, false, retain).subscribe().with(sent::set, emitter::fail);
        });
    }

    private static ToolOutcome failure(Throwable failure) {
        if (failure instanceof MqttConnectionException refused) {
            MqttConnectReturnCode code = refused.code();
            if (code == MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD
                    || code == MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED) {
                return new ToolOutcome.GrantBroken("The MQTT broker refused the username or password; update the connection's credentials.");
            }
            return new ToolOutcome.RetriableFailure(0, Optional.empty(), "The MQTT broker refused the connection (" + code + ")");
        }
        return new ToolOutcome.RetriableFailure(0, Optional.empty(), "Could not reach the MQTT broker: " + failure.getClass().getSimpleName());
    }

    private boolean allowed(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return allowedBrokerHosts.stream().anyMatch(allowed -> ManifestValidator.hostMatches(allowed, lower, lower));
    }

    /** broker_url: mqtt://host[:port] (1883) or mqtts://host[:port] (8883). */
    record Broker(String host, int port, boolean tls) {
        static Broker parse(Secret url) {
            if (url == null) {
                throw new IllegalArgumentException("The connection has no broker_url");
            }
            URI uri;
            try {
                uri = URI.create(url.reveal().trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("broker_url is not a URL; expected mqtt://host:1883 or mqtts://host:8883");
            }
            boolean tls = "mqtts".equals(uri.getScheme());
            if (!tls && !"mqtt".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("broker_url must look like mqtt://host:1883 or mqtts://host:8883");
            }
            return new Broker(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : tls ? 8883 : 1883, tls);
        }
    }

    /** Setup step "test the connection": connect and disconnect with what the installer entered. */
    private final class TestConnectionStep implements SetupStep {

        @Override
        public String id() {
            return "test-connection";
        }

        @Override
        public String title() {
            return "Test the connection";
        }

        @Override
        public JsonNode fieldSchema() {
            return JsonNodeFactory.instance.objectNode().put("type", "object");
        }

        @Override
        public Uni<CheckResult> check(Map<String, Secret> values) {
            return withClient(values, "polymux-setup-check", Duration.ofSeconds(10),
                    client -> Uni.createFrom().item((ToolOutcome) new ToolOutcome.Success(JsonNodeFactory.instance.nullNode())))
                    .map(outcome -> switch (outcome) {
                        case ToolOutcome.Success ignored -> CheckResult.passed("Connected to the broker.");
                        case ToolOutcome.GrantBroken broken -> CheckResult.failed(broken.sentence());
                        case ToolOutcome.RetriableFailure retriable -> CheckResult.failed(retriable.message() + ".");
                        case ToolOutcome.Failed failed -> CheckResult.failed(failed.message() + ".");
                        case ToolOutcome.BadArguments bad -> CheckResult.failed(bad.message() + ".");
                        case ToolOutcome.CredentialsRejected rejected -> CheckResult.failed(rejected.message() + ".");
                    });
        }
    }
}
