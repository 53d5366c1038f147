package dev.polymux.dispatch.connection.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.connection.config.CredentialRejectionsConfig;
import dev.polymux.dispatch.installation.ResolvedConnection;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Counts a provider's refusals of a vault or integration connection's stored credentials. After
 * {@code threshold} of them in a row within {@code window} it publishes dev.polymux.credentials.rejected.v1, once per
 * streak, and the registry marks the installation broken with its sentence: the installer sees what to do instead of
 * every call failing the same way for ever. A success ends the streak; so do new credentials (the count belongs to a
 * fingerprint of the values, never the values). OAuth connections are left to oauth-service's refresh and
 * grant.broken. Each replica counts the calls it ran.
 */
@ApplicationScoped
public class CredentialRejections {

    private static final Logger LOG = Logger.getLogger(CredentialRejections.class);
    private static final Pattern STATUS = Pattern.compile("\\(HTTP ([0-9]{3})\\)");
    private static final byte[] STRUCTURED = CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    /** One installation's current streak, for one set of credentials. */
    private static final class Streak {
        final String fingerprint;
        final Deque<Instant> rejections = new ArrayDeque<>();
        boolean reported;

        Streak(String fingerprint) {
            this.fingerprint = fingerprint;
        }
    }

    private final CredentialRejectionsConfig config;
    private final MutinyEmitter<byte[]> events;
    private final ObjectMapper mapper;
    private final String source;
    private final Cache<String, Streak> streaks;

    public CredentialRejections(CredentialRejectionsConfig config, @Channel("credential-events") MutinyEmitter<byte[]> events,
            ObjectMapper mapper, DispatchConfig dispatch) {
        this.config = config;
        this.events = events;
        this.mapper = mapper;
        this.source = dispatch.eventSource();
        this.streaks = Caffeine.newBuilder().maximumSize(config.maxTracked()).expireAfterAccess(config.window()).build();
    }

    /** The provider answered this connection: whatever streak there was is over. */
    public void accepted(ResolvedConnection connection) {
        if (connection != null && !connection.oauth()) {
            streaks.invalidate(connection.installationId());
        }
    }

    /**
     * The provider refused the stored credentials; {@code message} is the outcome's (only an HTTP status is taken from
     * it: a provider's own words may quote anything).
     */
    public void rejected(ResolvedConnection connection, Credentials credentials, String message) {
        if (connection == null || connection.oauth() || !(credentials instanceof Credentials.Fields fields) || config.threshold() <= 0) {
            return;
        }
        String fingerprint = fingerprint(fields);
        Instant now = Instant.now();
        boolean report;
        synchronized (this) {
            Streak streak = streaks.asMap().compute(connection.installationId(),
                    (id, old) -> old == null || !old.fingerprint.equals(fingerprint) ? new Streak(fingerprint) : old);
            streak.rejections.addLast(now);
            while (!streak.rejections.isEmpty() && streak.rejections.peekFirst().isBefore(now.minus(config.window()))) {
                streak.rejections.removeFirst();
            }
            report = !streak.reported && streak.rejections.size() >= config.threshold();
            if (report) {
                streak.reported = true;
            }
        }
        if (report) {
            publish(connection, fields, message);
        }
    }

    private void publish(ResolvedConnection connection, Credentials.Fields fields, String message) {
        String reason = sentence(connection, fields, message);
        ObjectNode data = mapper.createObjectNode().put("installationId", connection.installationId())
                .put("tenantId", connection.tenantId()).put("connector", connection.connectorLabel())
                .put("rejections", config.threshold()).put("reason", reason);
        CloudEvent event = CloudEvent.create(source, ConnectionEventTypes.CREDENTIALS_REJECTED, connection.installationId(), data);
        byte[] key = connection.installationId().getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", STRUCTURED);
        Message<byte[]> record = Message.of(json(event)).addMetadata(OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withTopic(EventTopics.CONNECTION_EVENTS).withKey(key).withHeaders(headers).build());
        // Not in the results' transaction: a lost event only delays the broken status to the next streak.
        events.sendMessage(record).subscribe().with(
                ignored -> LOG.infof("Installation %s: %d rejections of its stored credentials; reported broken", connection.installationId(),
                        config.threshold()),
                failure -> {
                    LOG.warnf("Installation %s: the credentials.rejected event was not published (%s)", connection.installationId(),
                            failure.getClass().getSimpleName());
                    streaks.invalidate(connection.installationId()); // the next streak tries again
                });
    }

    /** "Acme API rejected the stored key (HTTP 401); paste a new one." Names the connector, never a value. */
    static String sentence(ResolvedConnection connection, Credentials.Fields fields, String message) {
        String label = connection.manifest() == null ? connection.connectorLabel()
                : connection.manifest().path("label").asText(connection.connectorLabel());
        Matcher status = STATUS.matcher(message == null ? "" : message);
        String why = status.find() ? " (HTTP " + status.group(1) + ")" : "";
        return fields.values().size() == 1
                ? label + " rejected the stored key" + why + "; paste a new one."
                : label + " rejected the stored credentials" + why + "; store new ones.";
    }

    private static String fingerprint(Credentials.Fields fields) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, Secret> field : new TreeMap<>(fields.values()).entrySet()) {
                digest.update(field.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(field.getValue().reveal().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] json(CloudEvent event) {
        try {
            return mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A connection event does not serialize", e);
        }
    }
}
