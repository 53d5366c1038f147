package dev.polymux.registry.listing.service;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks both listing types run on the parts of a manifest they share: URLs that reach a provider, and credential
 * shapes. Each appends its findings; how strict a finding is depends on the type (a connection's shape is the one every
 * plugin using it inherits, a plugin's own inline shape concerns that plugin only).
 */
public final class ManifestChecks {

    public static final String HTTPS_ONLY = "https-only";
    public static final String SECRETS_MARKED = "secrets-marked";

    private static final Pattern SECRET_LOOKING = Pattern.compile("(?i).*(password|secret|token|api_?key|private).*");

    private ManifestChecks() {
    }

    /** A provider URL in plain http:// is a blocking finding, unless the operator allows it (local development only). */
    public static void httpsOnly(List<ReviewFinding> findings, String pointer, JsonNode url, boolean allowPlainHttp) {
        if (!allowPlainHttp && url != null && url.isTextual() && url.asText().regionMatches(true, 0, "http://", 0, 7)) {
            findings.add(new ReviewFinding(HTTPS_ONLY, true, pointer, "uses plain http://; providers must be reached over https"));
        }
    }

    /**
     * What an installer pastes must be marked secret where it is secret: a field that looks secret but is not marked
     * is always blocking (it would be shown back to installers); a shape with no secret field at all is a finding of
     * {@code noSecretBlocks} strictness, reported only when no single field was flagged already.
     */
    public static void secretFields(List<ReviewFinding> findings, String pointer, JsonNode shape, boolean noSecretBlocks) {
        String kind = shape.path("kind").asText();
        if ("single".equals(kind) && !shape.path("secret").asBoolean(true)) {
            findings.add(new ReviewFinding(SECRETS_MARKED, noSecretBlocks, pointer + "/secret",
                    "the single credential field is not marked secret; it will be shown back to installers"));
            return;
        }
        JsonNode fields = shape.path("fields");
        if (!"tuple".equals(kind) || fields.isEmpty()) {
            return;
        }
        boolean anySecret = false;
        boolean flagged = false;
        for (int i = 0; i < fields.size(); i++) {
            JsonNode field = fields.get(i);
            if (field.path("secret").asBoolean()) {
                anySecret = true;
            } else if (SECRET_LOOKING.matcher(field.path("name").asText()).matches()) {
                findings.add(new ReviewFinding(SECRETS_MARKED, true, pointer + "/fields/" + i + "/secret",
                        "field '" + field.path("name").asText() + "' looks secret but is not marked secret"));
                flagged = true;
            }
        }
        if (!anySecret && !flagged) {
            findings.add(new ReviewFinding(SECRETS_MARKED, noSecretBlocks, pointer + "/fields",
                    "no field of the shape is marked secret; a credential needs at least one secret field"));
        }
    }
}
