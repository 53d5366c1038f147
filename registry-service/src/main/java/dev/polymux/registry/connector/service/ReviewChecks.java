package dev.polymux.registry.connector.service;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.registry.config.RegistryConfig;

/**
 * The automated checks run on every submitted connector, before a person reviews it ("a broken connector breaks every
 * plugin that depends on it"): the manifest is valid (which includes tool URLs inside allowedHosts and no line breaks
 * in header values), every handler it names is deployed, endpoints are HTTPS, fields that look secret are marked
 * secret, an OAuth connector declares its scopes.
 */
@ApplicationScoped
public class ReviewChecks {

    private static final Pattern SECRET_LOOKING = Pattern.compile("(?i).*(password|secret|token|api_?key|private).*");

    private final ManifestValidator validator;
    private final ConnectorRegistry handlers;
    private final RegistryConfig config;

    public ReviewChecks(ManifestValidator validator, ConnectorRegistry handlers, RegistryConfig config) {
        this.validator = validator;
        this.handlers = handlers;
        this.config = config;
    }

    public List<ReviewFinding> run(JsonNode manifest) {
        List<ReviewFinding> findings = new ArrayList<>();
        validator.validateConnector(manifest).forEach(v -> findings.add(new ReviewFinding("manifest-valid", true, v.pointer(), v.message())));
        if (!findings.isEmpty()) {
            return findings;
        }
        if (manifest.hasNonNull("handler") && handlers.find(manifest.get("handler").asText()).isEmpty()) {
            findings.add(new ReviewFinding("handler-deployed", true, "/handler",
                    "no handler '" + manifest.get("handler").asText() + "' is deployed on this platform"));
        }
        if (!config.review().allowPlainHttp()) {
            JsonNode auth = manifest.path("auth");
            for (String field : List.of("authorizationUrl", "tokenUrl", "discoveryUrl")) {
                if (auth.path(field).asText("").startsWith("http://")) {
                    findings.add(new ReviewFinding("https-only", true, "/auth/" + field, "uses plain http://; providers must be reached over https"));
                }
            }
            JsonNode tools = manifest.path("tools");
            for (int i = 0; i < tools.size(); i++) {
                if (tools.get(i).path("http").path("url").asText("").startsWith("http://")) {
                    findings.add(new ReviewFinding("https-only", true, "/tools/" + i + "/http/url",
                            "uses plain http://; providers must be reached over https"));
                }
            }
        }
        JsonNode shape = manifest.path("auth").path("shape");
        if ("single".equals(shape.path("kind").asText()) && !shape.path("secret").asBoolean(true)) {
            findings.add(new ReviewFinding("secrets-marked", false, "/auth/shape/secret",
                    "the single credential field is not marked secret; it will be shown back to installers"));
        }
        JsonNode fields = shape.path("fields");
        for (int i = 0; i < fields.size(); i++) {
            JsonNode field = fields.get(i);
            if (!field.path("secret").asBoolean() && SECRET_LOOKING.matcher(field.path("name").asText()).matches()) {
                findings.add(new ReviewFinding("secrets-marked", true, "/auth/shape/fields/" + i + "/secret",
                        "field '" + field.path("name").asText() + "' looks secret but is not marked secret"));
            }
        }
        if ("oauth".equals(manifest.path("kind").asText()) && manifest.path("auth").path("scopes").isEmpty()) {
            findings.add(new ReviewFinding("scopes-declared", true, "/auth/scopes",
                    "an OAuth connector must declare the scopes plugins may request"));
        }
        return findings;
    }
}
