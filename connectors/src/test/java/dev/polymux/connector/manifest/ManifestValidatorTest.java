package dev.polymux.connector.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

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
    void theStripeRestrictedKeyVaultEntryIsValid() {
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

    // ---- Every pattern a manifest brings compiles on RE2/J, capped, at publish time ----

    @Test
    void toolInputPatternsThatAreNotRe2AreFindingsAtTheirPointer() {
        ObjectNode manifest = github();
        ObjectNode owner = (ObjectNode) manifest.path("tools").get(0).path("input").path("properties").path("owner");
        owner.put("pattern", "^(a)\\1$");
        ((ObjectNode) manifest.path("tools").get(0).path("input")).putObject("patternProperties").putObject("^x(?=y)");
        List<ManifestViolation> violations = validator.validateConnector(manifest);
        assertEquals(List.of("/tools/0/input/patternProperties/^x(?=y)", "/tools/0/input/properties/owner/pattern"),
                violations.stream().map(ManifestViolation::pointer).toList(), violations::toString);
        assertTrue(violations.get(1).message().contains("no backreferences, no lookaround"), violations.get(1).message());
    }

    @Test
    void tooLongAndTooComplexPatternsAreFindings() {
        ObjectNode manifest = github();
        ObjectNode properties = (ObjectNode) manifest.path("tools").get(0).path("input").path("properties");
        ((ObjectNode) properties.path("owner")).put("pattern", "a".repeat(1001));
        ((ObjectNode) properties.path("repo")).put("pattern", "(((a{1000}){1000}){1000})");
        assertEquals(List.of(
                new ManifestViolation("/tools/0/input/properties/owner/pattern", "is longer than 1000 characters"),
                new ManifestViolation("/tools/0/input/properties/repo/pattern",
                        "is too complex: with its repetitions expanded it exceeds 1000 steps (use fewer or smaller counted repetitions, {n,m})")),
                validator.validateConnector(manifest));
    }

    @Test
    void theIssuesBacktrackingPatternIsAcceptedSinceItRunsInLinearTime() {
        ObjectNode manifest = github();
        ((ObjectNode) manifest.path("tools").get(0).path("input").path("properties").path("owner")).put("pattern", "(.*a){20}$");
        assertEquals(List.of(), validator.validateConnector(manifest));
    }

    @Test
    void vaultShapePatternsAreCheckedInConnectorsEntriesAndPlugins() {
        ObjectNode entry = json("""
                {"kind":"vault","key":"k","label":"K","shape":{"kind":"single","pattern":"^(?!rk_)"}}""");
        assertEquals(List.of("/shape/pattern"), validator.validateConnectionEntry(entry).stream().map(ManifestViolation::pointer).toList());

        ObjectNode plugin = json("""
                {"id":"pp","version":"1.0.0","label":"P","connections":[{"kind":"vault","key":"k","label":"K","shape":{"kind":"tuple","fields":[
                  {"name":"a","label":"A","secret":false,"pattern":"^[a-z]+$"},{"name":"b","label":"B","secret":true,"pattern":"(x)\\\\1"}]}}]}""");
        assertEquals(List.of("/connections/0/shape/fields/1/pattern"),
                validator.validatePlugin(plugin).stream().map(ManifestViolation::pointer).toList());

        ObjectNode connector = json("""
                {"id":"acme-keys","version":"1.0.0","label":"Acme","kind":"vault",
                 "auth":{"shape":{"kind":"single","pattern":"%s"}},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["api.acme.example"]}"""
                .formatted("x".repeat(1001)));
        assertEquals(List.of(new ManifestViolation("/auth/shape/pattern", "is longer than 1000 characters")),
                validator.validateConnector(connector));
    }

    // ---- Schemas load nothing; references leaving the manifest are findings ----

    @Test
    void remoteReferencesInToolSchemasAreFindingsAndNothingIsFetched() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            ObjectNode manifest = github();
            ObjectNode input = (ObjectNode) manifest.path("tools").get(0).path("input");
            ((ObjectNode) input.path("properties")).putObject("remote").put("$ref", "http://127.0.0.1:" + server.getLocalPort() + "/x.json");
            ((ObjectNode) input.path("properties")).putObject("file").put("$ref", "file:///etc/passwd");
            ((ObjectNode) input.path("properties")).putObject("local").put("$ref", "#/properties/owner");
            List<ManifestViolation> violations = validator.validateConnector(manifest);
            assertEquals(List.of("/tools/0/input/properties/file/$ref", "/tools/0/input/properties/remote/$ref"),
                    violations.stream().map(ManifestViolation::pointer).toList(), violations::toString);
            assertFalse(violations.toString().contains("passwd") || violations.toString().contains("x.json"), "addresses are not echoed");
            Thread.sleep(200);
        }
        assertEquals(0, connections.get(), "the socket saw a connection");
    }

    // ---- Review: hosts are public DNS names unless the operator allowed them ----

    @Test
    void ipLiteralsAndPrivateNamesAreRefusedWhereverAManifestNamesAHost() {
        for (String host : List.of("localhost", "localhost:8089", "127.0.0.1", "10.0.0.5", "169.254.169.254", "metadata.google.internal",
                "vault-service.polymux.svc", "kubernetes.default.svc.cluster.local", "printer.local", "intranet", "2130706433")) {
            ObjectNode manifest = github();
            ((ArrayNode) manifest.path("allowedHosts")).add(host);
            List<ManifestViolation> violations = validator.validateConnector(manifest);
            assertEquals(List.of("/allowedHosts/1"), violations.stream().map(ManifestViolation::pointer).toList(), host + ": " + violations);
            assertTrue(violations.get(0).message().contains("polymux.connectors.allowed-private-hosts"), violations.get(0).message());
        }
        ObjectNode manifest = github();
        ((ArrayNode) manifest.path("allowedHosts")).add("*.internal");
        assertEquals(List.of("/allowedHosts/1"), validator.validateConnector(manifest).stream().map(ManifestViolation::pointer).toList());

        ObjectNode v6 = github();
        http(v6, 0).put("url", "https://[::1]/repos/{owner}/{repo}");
        http(v6, 1).put("url", "https://[fd00::1]:8443/repos/{owner}/{repo}/issues");
        ((ObjectNode) v6.path("auth")).put("tokenUrl", "https://169.254.169.254/latest/meta-data/");
        ((ObjectNode) v6.path("auth")).put("authorizationUrl", "https://login.corp/authorize");
        List<ManifestViolation> violations = validator.validateConnector(v6);
        assertEquals(List.of("/auth/authorizationUrl", "/auth/tokenUrl", "/tools/0/http/url", "/tools/0/http/url", "/tools/1/http/url",
                "/tools/1/http/url"), violations.stream().map(ManifestViolation::pointer).toList(), violations::toString);
    }

    @Test
    void theOperatorsAllowListOpensPrivateHostsItNames() {
        ManifestValidator local = new ManifestValidator(List.of("localhost", "127.0.0.0/8", "::1", "*.corp.internal"));
        ObjectNode manifest = github();
        ((ArrayNode) manifest.path("allowedHosts")).add("localhost:8089").add("127.0.0.1").add("api.corp.internal").add("*.eu.corp.internal");
        ((ObjectNode) manifest.path("auth")).put("tokenUrl", "http://localhost:8089/token");
        http(manifest, 0).put("url", "http://127.0.0.1/repos/{owner}/{repo}");
        http(manifest, 1).put("url", "https://[::1]/repos/{owner}/{repo}/issues");
        ((ArrayNode) manifest.path("allowedHosts")).add("10.0.0.5");
        List<ManifestViolation> violations = local.validateConnector(manifest);
        assertEquals(List.of("/allowedHosts/5", "/tools/1/http/url"), violations.stream().map(ManifestViolation::pointer).toList(),
                violations::toString);
        assertEquals("host '[::1]' is not in allowedHosts", violations.get(1).message(), "allowed by the operator, still not by the manifest");
    }

    @Test
    void publicNamesPassWithoutAnyAllowList() {
        ObjectNode manifest = github();
        ((ArrayNode) manifest.path("allowedHosts")).add("*.googleapis.com").add("uploads.github.com:443").add("api.stripe.com");
        assertEquals(List.of(), validator.validateConnector(manifest));
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
