package dev.polymux.console.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.marketplace.client.Finding;
import dev.polymux.console.publish.service.ManifestLines;

class ManifestLinesTest {

    @Test
    void eachFindingStandsBesideTheLineItsPointerNames() throws Exception {
        var manifest = new ObjectMapper().readTree("""
                {"id":"p","connections":[{"kind":"vault","key":"k","shape":{"kind":"single"}}]}""");
        Finding onKey = new Finding("c", true, "/connections/0/key", "bad key");
        Finding missing = new Finding("c", false, "/connections/0/shape/secret", "say whether it is secret");
        Finding whole = new Finding("c", false, "", "whole");
        List<ManifestLines.Line> lines = ManifestLines.of(manifest, List.of(onKey, missing, whole));
        ManifestLines.Line keyLine = lines.stream().filter(l -> l.findings().contains(onKey)).findFirst().orElseThrow();
        assertEquals(true, keyLine.text().contains("\"key\" : \"k\""), keyLine.text());
        ManifestLines.Line shapeLine = lines.stream().filter(l -> l.findings().contains(missing)).findFirst().orElseThrow();
        assertEquals(true, shapeLine.text().contains("\"shape\""), shapeLine.text()); // the nearest parent that is there
        assertEquals(List.of(whole), lines.get(0).findings());
    }
}
