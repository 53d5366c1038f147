package dev.polymux.registry.connector.service;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.listing.service.ManifestChecks;
import dev.polymux.registry.listing.service.ReviewFinding;

/**
 * The stricter automated checks every submitted connection runs before a person reviews it ("a broken connector
 * breaks every plugin that depends on it"): the manifest is valid (which includes an integration connector naming its
 * handler, tool URLs inside allowedHosts and no line breaks in header values), every handler it names is deployed,
 * provider endpoints are HTTPS, fields that look secret are marked secret and the shape has a secret field, an OAuth
 * connector declares its scopes. Wildcard hosts and hosts no tool reaches are shown to the reviewer.
 */
@ApplicationScoped
public class ReviewChecks {

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
        boolean plainHttp = config.review().allowPlainHttp();
        JsonNode auth = manifest.path("auth");
        for (String field : List.of("authorizationUrl", "tokenUrl", "discoveryUrl")) {
            ManifestChecks.httpsOnly(findings, "/auth/" + field, auth.get(field), plainHttp);
        }
        ManifestChecks.httpsOnly(findings, "/auth/request/baseUrl", auth.path("request").get("baseUrl"), plainHttp);
        JsonNode tools = manifest.path("tools");
        for (int i = 0; i < tools.size(); i++) {
            ManifestChecks.httpsOnly(findings, "/tools/" + i + "/http/url", tools.get(i).path("http").get("url"), plainHttp);
        }
        if (auth.has("shape")) {
            ManifestChecks.secretFields(findings, "/auth/shape", auth.get("shape"), true);
        }
        if ("oauth".equals(manifest.path("kind").asText()) && auth.path("scopes").isEmpty()) {
            findings.add(new ReviewFinding("scopes-declared", true, "/auth/scopes",
                    "an OAuth connector must declare the scopes plugins may request"));
        }
        hosts(manifest, findings);
        return findings;
    }

    /**
     * Hosts are what a connector's requests may reach, so the reviewer sees wildcards and hosts no tool uses. An
     * integration handler or the polymux.http_request action (an auth.request block) may reach any allowed host, so
     * unused ones are only reported for connectors whose declarative tools are all they reach.
     */
    private static void hosts(JsonNode manifest, List<ReviewFinding> findings) {
        JsonNode hosts = manifest.path("allowedHosts");
        List<URI> toolUrls = new ArrayList<>();
        manifest.path("tools").forEach(tool -> {
            String template = tool.path("http").path("url").asText("");
            if (!template.isEmpty()) {
                try {
                    // Placeholders stand for arguments; only the authority matters here.
                    toolUrls.add(URI.create(template.replaceAll("[{}]", "")));
                } catch (IllegalArgumentException unparsable) {
                    // The validator has refused what cannot be reached; nothing to compare.
                }
            }
        });
        boolean toolsOnly = !"integration".equals(manifest.path("kind").asText()) && !manifest.path("auth").has("request");
        for (int i = 0; i < hosts.size(); i++) {
            String allowed = hosts.get(i).asText().toLowerCase(Locale.ROOT);
            if (allowed.startsWith("*")) {
                findings.add(new ReviewFinding("hosts-narrow", false, "/allowedHosts/" + i,
                        "'" + allowed + "' lets the connector's requests reach any host under it; check that every one is the provider's"));
            }
            if (toolsOnly && toolUrls.stream().noneMatch(url -> matches(allowed, url))) {
                findings.add(new ReviewFinding("hosts-used", false, "/allowedHosts/" + i,
                        "no tool reaches '" + allowed + "'; declare only the hosts the connector needs"));
            }
        }
    }

    private static boolean matches(String allowed, URI url) {
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        return ManifestValidator.hostMatches(allowed, host, url.getPort() > 0 ? host + ":" + url.getPort() : host);
    }
}
