package dev.polymux.connector.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.connector.builtin.InTreeManifests;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ManifestValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ManifestValidator validator = new ManifestValidator();

    @Test
    void aDeclarativeOAuthConnectorIsValid() {
        assertEquals(List.of(), validator.validateConnector(github()));
    }

    @Test
    void missingRequiredFieldsAreNamedAtTheirParent() {
        ObjectNode manifest = github();
        manifest.remove("version");
        ((ObjectNode) manifest.path("tools").get(0)).remove("input");
        assertEquals(List.of(
                new ManifestViolation("/", "required property 'version' not found"),
                new ManifestViolation("/tools/0", "required property 'input' not found")),
                validator.validateConnector(manifest));
    }

    @Test
    void aToolUrlOutsideAllowedHostsIsRefused() {
        ObjectNode manifest = github();
        http(manifest, 1).put("url", "https://collector.example.net/repos/{owner}/{repo}/issues");
        assertEquals(List.of(new ManifestViolation("/tools/1/http/url", "host 'collector.example.net' is not in allowedHosts")),
                validator.validateConnector(manifest));
    }

    @Test
    void aPlaceholderInTheHostIsRefusedSoHostsStayCheckable() {
        ObjectNode manifest = github();
        http(manifest, 0).put("url", "https://{owner}.github.io/x");
        List<ManifestViolation> violations = validator.validateConnector(manifest);
        assertEquals(1, violations.size(), violations::toString);
        assertEquals("/tools/0/http/url", violations.get(0).pointer());
    }

    @Test
    void headerValuesWithLineBreaksAreRefused() {
        ObjectNode manifest = github();
        ((ObjectNode) http(manifest, 0).path("headers")).put("X-Injected", "ok\r\nX-Evil: 1");
        List<ManifestViolation> violations = validator.validateConnector(manifest);
        assertEquals(1, violations.size(), violations::toString);
        assertEquals("/tools/0/http/headers/X-Injected", violations.get(0).pointer());
        assertFalse(violations.get(0).message().contains("X-Evil"), "the value itself is not echoed");
    }

    @Test
    void aPlaceholderMustBeAnArgumentOfItsTool() {
        ObjectNode manifest = github();
        http(manifest, 0).put("url", "https://api.github.com/repos/{owner}/{repository}");
        assertEquals(List.of(new ManifestViolation("/tools/0/http/url",
                "placeholder {repository} is not a property of the tool's input schema")),
                validator.validateConnector(manifest));
    }

    @Test
    void toolNamesAreUnique() {
        ObjectNode manifest = github();
        ((ObjectNode) manifest.path("tools").get(1)).put("name", "get_repository");
        assertEquals(List.of(new ManifestViolation("/tools/1/name", "tool name 'get_repository' is already used by /tools/0")),
                validator.validateConnector(manifest));
    }

    @Test
    void anOAuthConnectorNeedsItsEndpointsOrDiscovery() {
        ObjectNode manifest = github();
        ((ObjectNode) manifest.path("auth")).remove("tokenUrl");
        assertFalse(validator.validateConnector(manifest).isEmpty());
        ((ObjectNode) manifest.path("auth")).put("discoveryUrl", "https://accounts.example.com/.well-known/openid-configuration");
        assertEquals(List.of(), validator.validateConnector(manifest), "discovery fills the endpoints");
    }

    @Test
    void defaultScopesMustBeDeclaredScopes() {
        ObjectNode manifest = github();
        ((ArrayNode) manifest.path("auth").path("defaultScopes")).add("admin:org");
        assertEquals(List.of(new ManifestViolation("/auth/defaultScopes/1", "is not one of /auth/scopes")),
                validator.validateConnector(manifest));
    }

    @Test
    void anIntegrationConnectorNamesItsHandler() {
        ObjectNode manifest = json("""
                {"id":"mqtt","version":"1.0.0","label":"MQTT","kind":"integration",
                 "auth":{"shape":{"kind":"tuple","fields":[
                    {"name":"broker_url","label":"Broker URL","secret":false},
                    {"name":"username","label":"Username","secret":false},
                    {"name":"password","label":"Password","secret":true}]},
                  "setupSteps":[{"id":"test-connection","title":"Test the connection","check":"test-connection"}]},
                 "tools":[{"name":"publish","description":"Publishes a message.","input":{"type":"object"}}],
                 "allowedHosts":["*.hivemq.cloud"]}""");
        assertEquals(List.of(new ManifestViolation("/", "required property 'handler' not found")), validator.validateConnector(manifest));
        manifest.put("handler", "mqtt");
        assertEquals(List.of(), validator.validateConnector(manifest));
    }

    @Test
    void theSourceDocumentsVaultEntryIsValid() {
        JsonNode entry = json("""
                {"kind":"vault","key":"stripe_restricted_key","label":"Stripe restricted key",
                 "help":"Use a restricted key with `write:checkout-sessions`.","required":true,
                 "shape":{"kind":"single","field":"value","secret":true}}""");
        assertEquals(List.of(), validator.validateConnectionEntry(entry));
    }

    @Test
    void aVaultEntryNamesAVaultConnectorOrCarriesItsShapeButNotBoth() {
        assertEquals(List.of(), validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"stripe","label":"Stripe","connector":"stripe"}""")));
        assertFalse(validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"stripe","label":"Stripe","connector":"stripe","shape":{"kind":"single"}}""")).isEmpty());
        assertFalse(validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"stripe","label":"Stripe"}""")).isEmpty());
    }

    @Test
    void pairAndTupleShapesAreValid() {
        assertEquals(List.of(), validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"db_login","label":"Database login","shape":{"kind":"pair"}}""")));
        assertEquals(List.of(), validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"aws","label":"AWS keys","shape":{"kind":"tuple","fields":[
                  {"name":"access_key","label":"Access key","secret":false},
                  {"name":"secret_key","label":"Secret key","secret":true},
                  {"name":"region","label":"Region","secret":false}]}}""")));
    }

    @Test
    void aWrongShapeKindIsNamedAtItsPointer() {
        List<ManifestViolation> violations = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"triple"}}"""));
        assertEquals(1, violations.size(), violations::toString);
        assertEquals("/shape/kind", violations.get(0).pointer());
        assertTrue(violations.get(0).message().contains("enumeration"), violations.get(0).message());
    }

    @Test
    void aTupleNeedsTwoFieldsEachSayingWhetherItIsSecret() {
        List<ManifestViolation> violations = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"tuple","fields":[{"name":"only","label":"Only"}]}}"""));
        assertEquals(List.of("/shape/fields", "/shape/fields/0"), violations.stream().map(ManifestViolation::pointer).toList(),
                violations::toString);
    }

    @Test
    void oauthEntriesNameAConnectorAndVaultOnlyKeysAreRefusedThere() {
        assertEquals(List.of(), validator.validateConnectionEntry(json("""
                {"kind":"oauth","key":"drive","label":"Google Drive","connector":"google-drive",
                 "scopes":["https://www.googleapis.com/auth/drive.file"]}""")));
        List<ManifestViolation> violations = validator.validateConnectionEntry(json("""
                {"kind":"oauth","key":"drive","label":"Google Drive","shape":{"kind":"single"}}"""));
        assertEquals(List.of(
                new ManifestViolation("/", "property 'shape' is not defined in the schema and the schema does not allow additional properties"),
                new ManifestViolation("/", "required property 'connector' not found")), violations);
    }

    @Test
    void keysAreLowerCaseIdentifiers() {
        List<ManifestViolation> violations = validator.validateConnectionEntry(json("""
                {"kind":"vault","key":"Stripe Key","label":"K","shape":{"kind":"single"}}"""));
        assertEquals(List.of("/key"), violations.stream().map(ManifestViolation::pointer).toList());
    }

    @Test
    void aPluginDeclaresItsConnectionsWithUniqueKeys() {
        ObjectNode plugin = json("""
                {"id":"invoice-sync","version":"1.0.0","label":"Invoice sync","connections":[
                  {"kind":"vault","key":"stripe_restricted_key","label":"Stripe restricted key","shape":{"kind":"single"}},
                  {"kind":"oauth","key":"drive","label":"Google Drive","connector":"google-drive","scopes":["https://www.googleapis.com/auth/drive.file"]}]}""");
        assertEquals(List.of(), validator.validatePlugin(plugin));
        ((ObjectNode) plugin.path("connections").get(1)).put("key", "stripe_restricted_key");
        assertEquals(List.of(new ManifestViolation("/connections/1/key", "key 'stripe_restricted_key' is already used by /connections/0")),
                validator.validatePlugin(plugin));
    }

    @Test
    void aPluginsConnectionEntriesAreCheckedWhereTheyStand() {
        List<ManifestViolation> violations = validator.validatePlugin(json("""
                {"id":"pp","version":"1.0.0","label":"P","connections":[{"kind":"vault","key":"k","label":"K","shape":{"kind":"triple"}}]}"""));
        assertEquals(List.of("/connections/0/shape/kind"), violations.stream().map(ManifestViolation::pointer).toList());
    }

    @Test
    void wildcardHostsMatchSubdomainsOnly() {
        assertTrue(ManifestValidator.hostMatches("*.example.com", "api.example.com", "api.example.com"));
        assertFalse(ManifestValidator.hostMatches("*.example.com", "example.com", "example.com"));
        assertFalse(ManifestValidator.hostMatches("*.example.com", "evilexample.com", "evilexample.com"));
        assertTrue(ManifestValidator.hostMatches("localhost:8089", "localhost", "localhost:8089"));
        assertFalse(ManifestValidator.hostMatches("localhost:8089", "localhost", "localhost:9999"));
    }

    private static ObjectNode github() {
        return InTreeManifests.load("github");
    }

    private static ObjectNode http(ObjectNode manifest, int tool) {
        return (ObjectNode) manifest.path("tools").get(tool).path("http");
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
