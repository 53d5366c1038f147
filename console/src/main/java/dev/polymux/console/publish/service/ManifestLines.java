package dev.polymux.console.publish.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.marketplace.client.Finding;

/**
 * A manifest pretty-printed line by line, each finding beside the line its JSON pointer points to (or, for a pointer
 * to something missing, beside its nearest parent that is there).
 */
public final class ManifestLines {

    public record Line(int number, String text, List<Finding> findings) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestLines() {
    }

    public static List<Line> of(JsonNode manifest, List<Finding> findings) {
        if (manifest == null || manifest.isMissingNode()) {
            return List.of();
        }
        String text;
        Map<String, Integer> lineOf = new HashMap<>();
        try {
            text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest);
            try (JsonParser parser = JSON.createParser(text)) {
                JsonToken token;
                while ((token = parser.nextToken()) != null) {
                    if (token == JsonToken.FIELD_NAME) {
                        continue; // the value's token that follows names the same pointer
                    }
                    int line = parser.currentTokenLocation().getLineNr();
                    String pointer = parser.getParsingContext().pathAsPointer().toString();
                    if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                        // the container's own pointer is that of its parent's entry
                        pointer = parser.getParsingContext().getParent() == null ? ""
                                : parser.getParsingContext().getParent().pathAsPointer().toString();
                    }
                    lineOf.putIfAbsent(pointer, line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("A parsed manifest does not print back", e);
        }
        String[] texts = text.split("\n", -1);
        List<List<Finding>> beside = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            beside.add(new ArrayList<>());
        }
        for (Finding finding : findings) {
            beside.get(Math.min(texts.length, lineFor(finding.pointer(), lineOf)) - 1).add(finding);
        }
        List<Line> lines = new ArrayList<>(texts.length);
        for (int i = 0; i < texts.length; i++) {
            lines.add(new Line(i + 1, texts[i], beside.get(i)));
        }
        return lines;
    }

    static int lineFor(String pointer, Map<String, Integer> lineOf) {
        String p = pointer == null ? "" : pointer;
        while (true) {
            Integer line = lineOf.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 1;
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "" : p.substring(0, slash);
        }
    }
}
