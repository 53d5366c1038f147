package dev.polymux.localstack;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a workflow engine does, once, against the local stack: publishes one dev.polymux.tool.call.v1 event on
 * polymux.tool-calls.v1 and prints its result from polymux.tool-results.v1 (read_committed), or says it timed out.
 *
 * <pre>
 * BOOTSTRAP TENANT PLUGIN CONNECTION TOOL ARGUMENTS_JSON TIMEOUT_SECONDS
 * </pre>
 */
public final class LocalToolCall {

    private LocalToolCall() {
    }

    public static void main(String[] args) {
        if (args.length != 7) {
            System.err.println("usage: LocalToolCall BOOTSTRAP TENANT PLUGIN CONNECTION TOOL ARGUMENTS_JSON TIMEOUT_SECONDS");
            System.exit(2);
        }
        String bootstrap = args[0];
        int timeout = Integer.parseInt(args[6]);
        String callId = "local-" + UUID.randomUUID();
        String event = """
                {"specversion":"1.0","id":"%s","source":"/deploy/local/call","type":"dev.polymux.tool.call.v1","subject":"%s",
                 "time":"%s","datacontenttype":"application/json",
                 "data":{"callId":"%s","tenantId":"%s","workflowRunId":"local-run","pluginId":"%s","connectionKey":"%s","tool":"%s",
                 "arguments":%s,"deadline":"%s"}}""".formatted(UUID.randomUUID(), callId, Instant.now(), callId, args[1], args[2], args[3],
                args[4], args[5], Instant.now().plusSeconds(timeout));
        try (KafkaConsumer<String, String> results = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "deploy-local-call-" + callId, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer());
                KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            results.subscribe(List.of("polymux.tool-results.v1"));
            while (results.assignment().isEmpty()) {
                results.poll(Duration.ofMillis(100)); // joined, positioned at the end, before the call goes out
            }
            // Keyed by the connection, as the contract asks: one replica sees all of a connection's calls.
            ProducerRecord<String, String> call = new ProducerRecord<>("polymux.tool-calls.v1", args[1] + "/" + args[2] + "/" + args[3], event);
            call.headers().add("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));
            producer.send(call).get();
            System.err.println("Published call " + callId + "; waiting for its result...");
            Instant until = Instant.now().plusSeconds(timeout + 10L);
            while (Instant.now().isBefore(until)) {
                for (ConsumerRecord<String, String> record : results.poll(Duration.ofMillis(200))) {
                    if (callId.equals(record.key())) {
                        System.out.println(record.value());
                        return;
                    }
                }
            }
            System.err.println("No result for " + callId + " within " + (timeout + 10) + " s: is dispatch-service running (deploy/local/status)?");
            System.exit(1);
        } catch (Exception e) {
            System.err.println("Could not publish the call: " + e.getMessage());
            System.exit(1);
        }
    }
}
