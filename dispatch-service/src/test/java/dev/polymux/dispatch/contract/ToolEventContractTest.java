package dev.polymux.dispatch.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.testing.kafka.EventSchemas;

/**
 * The workflow engine is written by other people: the tool-call and tool-result schemas and the examples in docs/events
 * are the contract. The examples conform, and the schemas do refuse what breaks the contract.
 */
class ToolEventContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/events");

    @ParameterizedTest
    @ValueSource(strings = { "tool-call.example.json", "tool-result.succeeded.example.json", "tool-result.failed.example.json",
            "credentials-rejected.example.json" })
    void theDocumentedExamplesConform(String example) throws IOException {
        EventSchemas.assertMatchesItsSchema(JSON.readTree(Files.readString(EXAMPLES.resolve(example))));
    }

    @Test
    void aCallWithoutADeadlineOrWithAStrayFieldIsRefused() throws IOException {
        ObjectNode call = (ObjectNode) JSON.readTree(Files.readString(EXAMPLES.resolve("tool-call.example.json")));
        ((ObjectNode) call.get("data")).remove("deadline");
        ((ObjectNode) call.get("data")).put("apiKey", "not here");
        List<String> problems = EventSchemas.problems(call);
        assertTrue(problems.stream().anyMatch(p -> p.contains("deadline")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("apiKey")), problems.toString());
    }

    @Test
    void aCredentialsRejectedEventNeedsItsSentenceAndCarriesNoCredential() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readString(EXAMPLES.resolve("credentials-rejected.example.json")));
        ((ObjectNode) event.get("data")).remove("reason");
        ((ObjectNode) event.get("data")).put("apiKey", "sk_live_not_here");
        List<String> problems = EventSchemas.problems(event);
        assertTrue(problems.stream().anyMatch(p -> p.contains("reason")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("apiKey")), problems.toString());
    }

    @Test
    void aFailedResultNeedsItsErrorAndASucceededOneItsOutput() throws IOException {
        JsonNode failed = JSON.readTree(Files.readString(EXAMPLES.resolve("tool-result.failed.example.json")));
        ((ObjectNode) failed.get("data")).remove("error");
        assertEquals(1, EventSchemas.problems(failed).size(), EventSchemas.problems(failed).toString());

        JsonNode succeeded = JSON.readTree(Files.readString(EXAMPLES.resolve("tool-result.succeeded.example.json")));
        ((ObjectNode) succeeded.get("data")).remove("output");
        assertEquals(1, EventSchemas.problems(succeeded).size(), EventSchemas.problems(succeeded).toString());
    }
}
