package dev.polymux.registry.plugin.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import dev.polymux.registry.listing.ReviewState;
import dev.polymux.registry.listing.service.ManifestChecks;
import dev.polymux.registry.listing.service.ReviewFinding;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The automated checks of a submitted plugin version (an unreviewed plugin would carry shapes, patterns and hosts into
 * every installation): the manifest is valid (schema, unique keys, inline shapes' patterns, inline hosts), every entry
 * that names a connector names an approved one of its kind and asks only for scopes it declares, inline vault entries
 * reach their provider over https and mark a field secret. Each named connector version is pinned into the manifest.
 * A connector of the plugin's own tenant that is still in review does not block: the plugin waits in review for it.
 * An inline entry's {@code request} or {@code command} block decides where a stored secret goes, and no check can tell
 * whether those hosts or that program are the provider's: it is always a finding, so only a person approves it.
 */
@ApplicationScoped
public class PluginChecks {

    public static final String CONNECTOR_APPROVED = "connector-approved";
    public static final String BUILTIN_REQUEST = "builtin-request";
    public static final String BUILTIN_COMMAND = "builtin-command";

    private final ManifestValidator validator;
    private final ConnectorVersionRepository connectors;
    private final RegistryConfig config;
    private final ObjectMapper mapper;

    public PluginChecks(ManifestValidator validator, ConnectorVersionRepository connectors, RegistryConfig config, ObjectMapper mapper) {
        this.validator = validator;
        this.connectors = connectors;
        this.config = config;
        this.mapper = mapper;
    }

    /**
     * @param findings               every finding, in the order of the entries
     * @param manifest               the manifest with each named connector's version pinned
     * @param everyConnectorApproved whether every connector it names is approved now
     */
    public record Outcome(List<ReviewFinding> findings, ObjectNode manifest, boolean everyConnectorApproved) {

        public List<ReviewFinding> blocking() {
            return findings.stream().filter(ReviewFinding::blocking).toList();
        }
    }

    /** Runs every check on a manifest a tenant submits; needs a session (it reads the connector catalog). */
    public Uni<Outcome> run(String ownerTenant, JsonNode submitted) {
        List<ReviewFinding> findings = new ArrayList<>();
        validator.validatePlugin(submitted).forEach(v -> findings.add(new ReviewFinding("manifest-valid", true, v.pointer(), v.message())));
        ObjectNode manifest = submitted.deepCopy();
        if (!findings.isEmpty()) {
            return Uni.createFrom().item(new Outcome(findings, manifest, false));
        }
        AtomicBoolean everyApproved = new AtomicBoolean(true);
        JsonNode connections = manifest.path("connections");
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            indexes.add(i);
        }
        return Multi.createFrom().iterable(indexes).onItem().transformToUniAndConcatenate(i -> {
            ObjectNode entry = (ObjectNode) connections.get(i);
            String pointer = "/connections/" + i;
            if (!entry.has("connector")) {
                inlineEntry(entry, pointer, config.review().allowPlainHttp(), findings);
                return Uni.createFrom().voidItem();
            }
            return resolve(ownerTenant, entry).invoke(connector -> {
                if (!namedConnector(entry, pointer, connector, ownerTenant, findings)) {
                    everyApproved.set(false);
                }
            }).replaceWithVoid();
        }).collect().asList().map(ignored -> new Outcome(findings, manifest, everyApproved.get()));
    }

    /**
     * Whether every connector version a submitted manifest pinned is approved now (a reviewer's approval needs it: a
     * connector may have been rejected or deprecated while the plugin waited). Returns the first that is not, or null.
     */
    public Uni<String> firstUnapprovedPin(JsonNode manifest) {
        List<JsonNode> named = new ArrayList<>();
        manifest.path("connections").forEach(entry -> {
            if (entry.has("connector")) {
                named.add(entry);
            }
        });
        return Multi.createFrom().iterable(named).onItem()
                .transformToUniAndConcatenate(entry -> connectors.findVersion(entry.path("connector").asText(), entry.path("connectorVersion").asText())
                        .map(found -> found != null && found.reviewState() == ReviewState.APPROVED ? ""
                                : "connector " + entry.path("connector").asText() + " " + entry.path("connectorVersion").asText()
                                        + (found == null ? " does not exist" : " is " + found.state.replace('_', ' '))))
                .filter(problem -> !problem.isEmpty()).collect().first();
    }

    /** The connector version an entry means: the one it pins, else the newest approved, else its tenant's own in review. */
    private Uni<ConnectorVersion> resolve(String ownerTenant, ObjectNode entry) {
        String connectorId = entry.path("connector").asText();
        if (entry.hasNonNull("connectorVersion")) {
            return connectors.findVersion(connectorId, entry.get("connectorVersion").asText());
        }
        return connectors.newestApproved(connectorId).flatMap(approved -> approved != null ? Uni.createFrom().item(approved)
                : connectors.newestOwnedInState(connectorId, ownerTenant, ReviewState.IN_REVIEW));
    }

    /** Checks an entry against the connector it names and pins it; true when that connector is approved. */
    private boolean namedConnector(ObjectNode entry, String pointer, ConnectorVersion connector, String ownerTenant, List<ReviewFinding> findings) {
        String connectorId = entry.path("connector").asText();
        boolean ownInReview = connector != null && connector.reviewState() == ReviewState.IN_REVIEW && connector.ownerTenant.equals(ownerTenant);
        if (connector == null || !(connector.reviewState() == ReviewState.APPROVED || ownInReview)) {
            // Another tenant's unapproved versions look exactly like missing ones.
            findings.add(new ReviewFinding(CONNECTOR_APPROVED, true, pointer + "/connector", "'" + connectorId
                    + (entry.hasNonNull("connectorVersion") ? " " + entry.get("connectorVersion").asText() : "")
                    + "' is not an approved connector"));
            return false;
        }
        if (!connector.kind.equals(entry.path("kind").asText())) {
            findings.add(new ReviewFinding("connector-kind", true, pointer + "/kind", "connector '" + connectorId + "' is of kind " + connector.kind));
            return false;
        }
        Set<String> declared = new HashSet<>();
        readTree(connector.manifest).path("auth").path("scopes").forEach(scope -> declared.add(scope.asText()));
        JsonNode scopes = entry.path("scopes");
        for (int s = 0; s < scopes.size(); s++) {
            if (!declared.contains(scopes.get(s).asText())) {
                findings.add(new ReviewFinding("scopes-declared", true, pointer + "/scopes/" + s,
                        "'" + scopes.get(s).asText() + "' is not a scope connector '" + connectorId + "' declares"));
            }
        }
        entry.put("connectorVersion", connector.version);
        if (ownInReview) {
            findings.add(new ReviewFinding(CONNECTOR_APPROVED, false, pointer + "/connector", "connector '" + connectorId + "' "
                    + connector.version + " is still in review; the plugin can be approved once the connector is"));
            return false;
        }
        return true;
    }

    /**
     * An inline vault entry: its provider over https (the {@code request} block's baseUrl, where the entry has one), a
     * secret field in its shape, hosts the reviewer should see, and its built-in action blocks for the reviewer to
     * confirm (each a finding that is not blocking, which keeps the policy from approving the plugin).
     */
    static void inlineEntry(JsonNode entry, String pointer, boolean allowPlainHttp, List<ReviewFinding> findings) {
        JsonNode request = entry.path("request");
        ManifestChecks.httpsOnly(findings, pointer + "/request/baseUrl", request.get("baseUrl"), allowPlainHttp);
        JsonNode hosts = request.path("allowedHosts");
        for (int h = 0; h < hosts.size(); h++) {
            if (hosts.get(h).asText().startsWith("*")) {
                findings.add(new ReviewFinding("hosts-narrow", false, pointer + "/request/allowedHosts/" + h,
                        "'" + hosts.get(h).asText() + "' lets requests with this credential reach any host under it"));
            }
        }
        if (entry.has("request")) {
            findings.add(new ReviewFinding(BUILTIN_REQUEST, false, pointer + "/request", describeRequest(request)));
        }
        if (entry.has("command")) {
            findings.add(new ReviewFinding(BUILTIN_COMMAND, false, pointer + "/command", describeCommand(entry.get("command"))));
        }
        if (entry.has("shape")) {
            ManifestChecks.secretFields(findings, pointer + "/shape", entry.get("shape"), false);
        }
    }

    /** Where polymux.http_request sends the stored values: the hosts and placements (never a value, only names). */
    private static String describeRequest(JsonNode request) {
        List<String> hosts = new ArrayList<>();
        request.path("allowedHosts").forEach(host -> hosts.add(host.asText()));
        List<String> placements = new ArrayList<>();
        request.path("credential").forEach(placement -> placements.add(switch (placement.path("placement").asText()) {
            case "header" -> "header " + placement.path("name").asText();
            case "query" -> "query parameter " + placement.path("name").asText();
            case "body" -> "body field " + placement.path("name").asText();
            case "basic" -> "HTTP Basic";
            default -> placement.path("placement").asText();
        }));
        return "polymux.http_request sends this entry's stored values to " + String.join(", ", hosts) + " (" + String.join(", ", placements)
                + (request.hasNonNull("baseUrl") ? "; baseUrl " + request.get("baseUrl").asText() : "")
                + "); a reviewer must confirm these hosts are the provider's";
    }

    /**
     * Which program polymux.command runs with the stored values: its arguments, every variable and the standard input as
     * the author wrote them (templates: {field} names a stored field, never a value). A variable that is not a stored
     * value, or a configuration on standard input (curl -K -), can send the values elsewhere: the reviewer reads it all.
     */
    private static String describeCommand(JsonNode command) {
        List<String> args = new ArrayList<>();
        command.path("args").forEach(arg -> args.add(arg.asText()));
        List<String> variables = new ArrayList<>();
        command.path("env").properties().forEach(variable -> variables.add(variable.getKey() + "=" + variable.getValue().asText()));
        List<String> channels = new ArrayList<>();
        if (!variables.isEmpty()) {
            channels.add("the environment " + String.join(", ", variables));
        }
        if (command.has("stdin")) {
            channels.add("the standard input '" + command.get("stdin").asText() + "'");
        }
        return "polymux.command runs '" + command.path("executable").asText() + "' with "
                + (args.isEmpty() ? "no arguments" : "the arguments " + args)
                + (channels.isEmpty() ? "" : ", " + String.join(" and ", channels))
                + "; a reviewer must confirm this program and where it sends them";
    }

    private JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored manifest is not JSON", e);
        }
    }
}
