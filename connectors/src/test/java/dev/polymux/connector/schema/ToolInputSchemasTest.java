package dev.polymux.connector.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;

/** The dispatcher's view: tool input schemas compile with RE2/J patterns and without loading anything. */
class ToolInputSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A plain socket server that only counts who connects: any fetch of a schema shows up here. */
    private ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    connections.incrementAndGet();
                    socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes());
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    @Test
    void aCatastrophicPatternValidatesASixteenKibArgumentFast() {
        JsonSchema schema = ToolInputSchemas.compile(json("{\"type\":\"string\",\"pattern\":\"(.*a){20}$\"}"));
        JsonNode argument = JSON.getNodeFactory().textNode("a".repeat(16_384) + "!");
        Set<ValidationMessage> messages = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            long start = System.nanoTime();
            Set<ValidationMessage> result = schema.validate(argument);
            System.out.printf("pattern (.*a){20}$ on a 16 KiB argument: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            return result;
        });
        assertEquals(1, messages.size(), messages::toString);
        assertEquals("pattern", messages.iterator().next().getType());
        assertEquals(Set.of(), schema.validate(JSON.getNodeFactory().textNode("a".repeat(25))), "a match anywhere counts");
    }

    @Test
    void patternPropertiesRunOnRe2Too() {
        JsonSchema schema = ToolInputSchemas.compile(json("""
                {"type":"object","patternProperties":{"(.*a){20}$":{"type":"integer"}},"additionalProperties":false}"""));
        JsonNode argument = JSON.createObjectNode().put("a".repeat(16_384) + "!", 1);
        Set<ValidationMessage> messages = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> schema.validate(argument));
        assertEquals(1, messages.size(), messages::toString);
        assertEquals("additionalProperties", messages.iterator().next().getType());
    }

    @Test
    void aRemoteReferenceIsRefusedAndNothingIsFetched() throws InterruptedException {
        for (String ref : List.of("http://127.0.0.1:" + server.getLocalPort() + "/x.json", "https://127.0.0.1:" + server.getLocalPort() + "/x.json",
                "file:///etc/passwd", "jar:file:/tmp/x.jar!/x.json", "classpath:schemas/connector-manifest.schema.json")) {
            ToolInputSchemas.UnsafeSchemaException refused = assertThrows(ToolInputSchemas.UnsafeSchemaException.class,
                    () -> ToolInputSchemas.compile(json("{\"$ref\":\"" + ref + "\"}")), ref);
            assertTrue(refused.getMessage().contains("only references inside"), refused.getMessage());
            assertFalse(refused.getMessage().contains("x.json") || refused.getMessage().contains("passwd"), "the address is not echoed");
        }
        Thread.sleep(200);
        assertEquals(0, connections.get(), "the socket saw a connection");
    }

    @Test
    void theLoaderItselfRefusesWhatReviewWouldNotSee() throws InterruptedException {
        // An $id base makes a relative reference absolute: the loader, not only the review, must refuse it.
        JsonNode schema = json("{\"$id\":\"http://127.0.0.1:" + server.getLocalPort() + "/root.json\",\"$ref\":\"#/$defs/n\","
                + "\"$defs\":{\"n\":{\"type\":\"integer\"}}}");
        assertEquals(Set.of(), ToolInputSchemas.compile(schema).validate(JSON.getNodeFactory().numberNode(3)));
        assertEquals(1, ToolInputSchemas.compile(schema).validate(JSON.getNodeFactory().textNode("three")).size());
        Thread.sleep(200);
        assertEquals(0, connections.get(), "the socket saw a connection");
    }

    @Test
    void referencesInsideTheSchemaResolve() {
        JsonSchema schema = ToolInputSchemas.compile(json("""
                {"type":"object","properties":{"owner":{"$ref":"#/$defs/name"}},"required":["owner"],
                 "$defs":{"name":{"type":"string","pattern":"^[a-z]+$"}}}"""));
        assertEquals(Set.of(), schema.validate(json("{\"owner\":\"octocat\"}")));
        assertEquals(1, schema.validate(json("{\"owner\":\"Octo Cat\"}")).size());
    }

    @Test
    void reviewNamesEveryRefusedPartByPointer() {
        List<ToolInputSchemas.Finding> findings = ToolInputSchemas.review(json("""
                {"$schema":"http://127.0.0.1:1/meta","type":"object",
                 "properties":{"q":{"type":"string","pattern":"(a)\\\\1"},"r":{"allOf":[{"$ref":"https://schemas.example/x.json"}]}},
                 "patternProperties":{"^x/(?=y)":{"type":"string"}},
                 "$defs":{"ok":{"$ref":"#/properties/q"}},
                 "const":{"pattern":"(?=not-a-schema)"}}"""));
        assertEquals(List.of("/$schema", "/properties/q/pattern", "/properties/r/allOf/0/$ref", "/patternProperties/^x~1(?=y)"),
                findings.stream().map(ToolInputSchemas.Finding::pointer).toList(), findings::toString);
    }

    @Test
    void formatsAreAssertedAndAnArgumentOfFormatRegexIsNeverCompiledHuge() {
        JsonSchema schema = ToolInputSchemas.compile(json("""
                {"type":"object","properties":{"url":{"type":"string","format":"uri"},"filter":{"type":"string","format":"regex"}}}"""));
        assertEquals(1, schema.validate(json("{\"url\":\"not a uri\"}")).size());
        assertEquals(Set.of(), schema.validate(json("{\"url\":\"https://shop.example/ok\",\"filter\":\"^inv_[0-9]+$\"}")));
        // RE2/J would run out of heap compiling this argument; the size estimate refuses it first.
        Set<ValidationMessage> messages = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> schema.validate(json("{\"filter\":\"((((a{1000}){1000}){1000}){1000})\"}")));
        assertEquals(1, messages.size(), messages::toString);
        assertEquals("format", messages.iterator().next().getType());
    }

    @Test
    void aPatternThatIsNotRe2IsAClearErrorAtCompile() {
        ToolInputSchemas.UnsafeSchemaException refused = assertThrows(ToolInputSchemas.UnsafeSchemaException.class,
                () -> ToolInputSchemas.compile(json("{\"type\":\"string\",\"pattern\":\"(?=x)\"}")));
        assertTrue(refused.getMessage().contains("/pattern"), refused.getMessage());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
