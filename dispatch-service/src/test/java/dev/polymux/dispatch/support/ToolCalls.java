package dev.polymux.dispatch.support;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.KafkaBroker;

/** Publishes tool calls as a workflow engine does (structured CloudEvents), and raw bytes for poison. */
public final class ToolCalls implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<byte[], byte[]> producer;

    public ToolCalls() {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A dev.polymux.tool.call.v1 event. */
    public static String event(String callId, String tenant, String pluginId, String connectionKey, String tool, String argumentsJson,
            Instant deadline) {
        return """
                {"specversion":"1.0","id":"%s","source":"/workflow-engine/test","type":"dev.polymux.tool.call.v1","subject":"%s",
                 "time":"%s","datacontenttype":"application/json","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                 "data":{"callId":"%s","tenantId":"%s","workflowRunId":"run-%s","pluginId":"%s","connectionKey":"%s","tool":"%s",
                 "arguments":%s,"deadline":"%s"}}""".formatted(UUID.randomUUID(), callId, Instant.now(), callId, tenant, callId, pluginId,
                connectionKey, tool, argumentsJson, deadline);
    }

    /** A call keyed as the contract asks: {@code tenantId/pluginId/connectionKey} (or the installation id). */
    public void publish(String event) {
        publish(connectionKeyOf(event), event);
    }

    /** A call keyed as the contract asks, on one partition (to put calls of two connections side by side). */
    public void publish(int partition, String event) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(EventTopics.TOOL_CALLS, partition,
                connectionKeyOf(event).getBytes(StandardCharsets.UTF_8), event.getBytes(StandardCharsets.UTF_8));
        record.headers().add("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    public static String connectionKeyOf(String event) {
        try {
            JsonNode data = JSON.readTree(event).path("data");
            return data.path("tenantId").asText() + "/" + data.path("pluginId").asText() + "/" + data.path("connectionKey").asText();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a tool-call event: " + e.getOriginalMessage(), e);
        }
    }

    /** A record with the key given: poison, or a key that is not the call's connection's. */
    public void publish(String key, String event) {
        publish(key == null ? null : key.getBytes(StandardCharsets.UTF_8), event == null ? null : event.getBytes(StandardCharsets.UTF_8));
    }

    public void publish(byte[] key, byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(EventTopics.TOOL_CALLS, key, value);
        record.headers().add("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
