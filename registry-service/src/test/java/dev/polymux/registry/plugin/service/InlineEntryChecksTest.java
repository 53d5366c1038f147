package dev.polymux.registry.plugin.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.registry.listing.service.ReviewFinding;

/**
 * The checks on a plugin's inline vault entries that the registry adds to the manifest validator: the request block's
 * baseUrl over https outside development, and a shape with a secret field.
 */
class InlineEntryChecksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPlainHttpBaseUrlIsBlockingUnlessTheOperatorAllowsIt() throws Exception {
        JsonNode entry = JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"single"},
                 "request":{"baseUrl":"HTTP://api.widgets.example/v1","allowedHosts":["api.widgets.example"],"credential":[{"placement":"bearer"}]}}""");

        List<ReviewFinding> strict = run(entry, false);
        assertEquals(List.of(new ReviewFinding("https-only", true, "/connections/2/request/baseUrl",
                "uses plain http://; providers must be reached over https")), strict);
        assertEquals(List.of(), run(entry, true));
    }

    @Test
    void anHttpsBaseUrlAndAnEntryWithoutRequestPass() throws Exception {
        assertEquals(List.of(), run(JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"single"},
                 "request":{"baseUrl":"https://api.widgets.example/v1","allowedHosts":["api.widgets.example"],"credential":[{"placement":"bearer"}]}}"""), false));
        assertEquals(List.of(), run(JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"pair"}}"""), false));
    }

    @Test
    void aShapeWithoutASecretFieldAndAWildcardHostAreShownToTheReviewerWithoutBlocking() throws Exception {
        List<ReviewFinding> findings = run(JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"tuple","fields":[
                   {"name":"account","label":"Account","secret":false},{"name":"region","label":"Region","secret":false}]},
                 "request":{"baseUrl":"https://eu.widgets.example","allowedHosts":["*.widgets.example"],"credential":[{"placement":"bearer"}]}}"""), false);
        assertEquals(List.of("hosts-narrow:/connections/2/request/allowedHosts/0:false", "secrets-marked:/connections/2/shape/fields:false"),
                findings.stream().map(f -> f.check() + ":" + f.pointer() + ":" + f.blocking()).toList());
    }

    private static List<ReviewFinding> run(JsonNode entry, boolean allowPlainHttp) {
        List<ReviewFinding> findings = new ArrayList<>();
        PluginChecks.inlineEntry(entry, "/connections/2", allowPlainHttp, findings);
        return findings;
    }
}
