package dev.polymux.connector.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.builtin.InTreeManifests;

/**
 * The request and command blocks of inline vault entries (and a vault connector's auth.request) as review sees
 * them: hosts public, the base URL among them, templates naming stored fields, no credential in a command's arguments.
 */
class ActionBlocksReviewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ManifestValidator validator = new ManifestValidator();

    @Test
    void theSourceDocumentsEntryWithARequestAndACommandIsValid() {
        assertEquals(List.of(), validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"stripe_restricted_key","label":"Stripe restricted key",
                 "help":"Use a restricted key with `write:checkout-sessions`.","required":true,
                 "shape":{"kind":"single","field":"value","secret":true},
                 "request":{"baseUrl":"https://api.stripe.com","allowedHosts":["api.stripe.com"],"credential":[{"placement":"bearer"}]},
                 "command":{"executable":"curl","args":["-sS","-H","@-","https://api.stripe.com/v1/{resource}"],
                            "stdin":"Authorization: Bearer {value}"}}""")));
    }

    @Test
    void aRequestBlocksHostsArePublicAndItsBaseUrlIsOneOfThem() {
        List<ManifestViolation> violations = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"single"},
                 "request":{"baseUrl":"https://api.other.example","allowedHosts":["api.stripe.com","169.254.169.254"],
                            "credential":[{"placement":"bearer"}]}}"""));
        assertTrue(violations.stream().anyMatch(v -> v.pointer().equals("/request/baseUrl") && v.message().contains("not in allowedHosts")),
                violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.pointer().equals("/request/allowedHosts/1")), violations.toString());
    }

    @Test
    void aCommandCannotSetVariablesThatRedirectOrLoadCode() {
        // Each would send the program's requests elsewhere, trust another CA, or run code of the author's choice.
        List<ManifestViolation> violations = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"single"},
                 "command":{"executable":"acme","env":{"ACME_KEY":"{value}","HTTPS_PROXY":"https://evil.example","LD_PRELOAD":"x",
                   "PATH":"/tmp","NODE_OPTIONS":"--require x","CURL_CA_BUNDLE":"x","ACME_BASE_URL":"https://evil.example"}}}"""));
        List<String> refused = violations.stream().map(ManifestViolation::pointer).sorted().toList();

        assertEquals(List.of("/command/env/CURL_CA_BUNDLE", "/command/env/HTTPS_PROXY", "/command/env/LD_PRELOAD",
                "/command/env/NODE_OPTIONS", "/command/env/PATH"), refused, violations.toString());
    }

    @Test
    void templatesNameFieldsTheShapeStores() {
        List<ManifestViolation> violations = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K",
                 "shape":{"kind":"tuple","fields":[{"name":"access_key","label":"A","secret":false},{"name":"secret_key","label":"S","secret":true}]},
                 "request":{"allowedHosts":["api.acme.example"],"credential":[
                   {"placement":"header","name":"X-Key","value":"{acces_key}"},
                   {"placement":"header","name":"X-Secret"}]},
                 "command":{"executable":"acme","env":{"ACME_SECRET":"{secret}"},"stdin":"{secret_key}"}}"""));
        assertEquals(List.of(
                new ManifestViolation("/command/env/ACME_SECRET", "placeholder {secret} is not a field of the shape [access_key, secret_key]"),
                new ManifestViolation("/request/credential/0/value", "placeholder {acces_key} is not a field of the shape [access_key, secret_key]"),
                new ManifestViolation("/request/credential/1", "needs a value template: a tuple shape has several fields, e.g. \"{access_key}\"")),
                violations);
    }

    @Test
    void aBasicPlacementsDefaultTemplatesAreReviewedAsTheyWillBeUsed() {
        // A single shape stores no username or password: the defaults {username} and {password} would fail every call.
        List<ManifestViolation> defaults = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"single"},
                 "request":{"allowedHosts":["api.acme.example"],"credential":[{"placement":"basic","username":"api:{value}"}]}}"""));
        List<ManifestViolation> written = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"single"},
                 "request":{"allowedHosts":["api.acme.example"],"credential":[{"placement":"basic","username":"api","password":"{value}"}]}}"""));
        List<ManifestViolation> pair = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"pair"},
                 "request":{"allowedHosts":["api.acme.example"],"credential":[{"placement":"basic"}]}}"""));

        assertEquals(List.of(new ManifestViolation("/request/credential/0/password",
                "placeholder {password} (the default) is not a field of the shape [value]")), defaults);
        assertEquals(List.of(), written);
        assertEquals(List.of(), pair);
    }

    @Test
    void aHeaderPlacementNeedsItsNameAndABlockNeedsItsOwnShape() {
        List<ManifestViolation> noName = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"single"},
                 "request":{"allowedHosts":["api.acme.example"],"credential":[{"placement":"header"}]}}"""));
        List<ManifestViolation> onAConnector = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","connector":"stripe",
                 "request":{"allowedHosts":["api.acme.example"],"credential":[{"placement":"bearer"}]}}"""));
        assertTrue(!noName.isEmpty() && noName.get(0).pointer().startsWith("/request/credential/0"), noName.toString());
        assertTrue(!onAConnector.isEmpty(), "a connector's entry takes the connector's placement, not its own");
    }

    @Test
    void aVaultConnectorsRequestBlockIsCheckedAgainstItsAllowedHosts() {
        JsonNode stripe = InTreeManifests.load("stripe");
        assertEquals(List.of(), validator.validateConnector(stripe));
        String withBlock = stripe.toString().replace("\"auth\":{", "\"auth\":{\"request\":{\"baseUrl\":\"https://files.stripe.com\","
                + "\"credential\":[{\"placement\":\"basic\",\"username\":\"{value}\",\"password\":\"{nope}\"}]},");
        List<ManifestViolation> violations = validator.validateConnector(json(withBlock));
        assertEquals(List.of(
                new ManifestViolation("/auth/request/baseUrl", "host 'files.stripe.com' is not in allowedHosts"),
                new ManifestViolation("/auth/request/credential/0/password", "placeholder {nope} is not a field of the shape [value]")),
                violations);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
