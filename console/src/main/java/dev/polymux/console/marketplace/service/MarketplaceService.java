package dev.polymux.console.marketplace.service;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.console.marketplace.client.ConnectorView;
import dev.polymux.console.marketplace.client.Page;
import dev.polymux.console.marketplace.client.PluginView;
import dev.polymux.console.marketplace.client.RegistryMarketplaceClient;
import dev.polymux.console.signin.service.ConsoleSession;

/** The marketplace's tabs and pages, as the signed-in person's token sees them. */
@ApplicationScoped
public class MarketplaceService {

    public static final Set<String> KINDS = Set.of("vault", "oauth", "integration");

    private final RegistryMarketplaceClient registry;

    public MarketplaceService(@RestClient RegistryMarketplaceClient registry) {
        this.registry = registry;
    }

    /** A tab's page of results: tab "plugins" or "connections" (with the kind filter). */
    public MarketView tab(ConsoleSession session, String tab, String kind, String q, int page, int size) {
        if ("plugins".equals(tab)) {
            Page<PluginView> found = registry.plugins(session.bearer(), q, page, size);
            return new MarketView(tab, q, null, page, size, found.total(), List.of(), found.items() == null ? List.of() : found.items());
        }
        Page<ConnectorView> found = registry.connectors(session.bearer(), kind, q, page, size);
        return new MarketView("connections", q, kind, page, size, found.total(), found.items() == null ? List.of() : found.items(), List.of());
    }

    public ConnectorDetail connector(ConsoleSession session, String id, String version) {
        ConnectorView view = registry.connector(session.bearer(), id, version);
        JsonNode manifest = view.manifest() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : view.manifest();
        JsonNode auth = manifest.path("auth");
        List<ConnectorDetail.Tool> tools = new ArrayList<>();
        for (JsonNode tool : manifest.path("tools")) {
            tools.add(new ConnectorDetail.Tool(tool.path("name").asText(), text(tool, "description"), inputFields(tool.path("input"))));
        }
        List<String> steps = new ArrayList<>();
        for (JsonNode step : auth.path("setupSteps")) {
            steps.add(step.path("title").asText(step.path("id").asText()));
        }
        return new ConnectorDetail(view.connectorId(), view.version(), view.kind(), view.label(), view.description(), view.state(),
                view.ownerTenant(), tools, strings(auth.path("scopes")), strings(auth.path("defaultScopes")), shape(auth.path("shape")),
                steps, strings(manifest.path("allowedHosts")), view.reviewNote(),
                view.reviewFindings() == null ? List.of() : view.reviewFindings(), view.createdAt(), view.submittedAt(), view.decidedAt());
    }

    public PluginDetail plugin(ConsoleSession session, String id, String version) {
        PluginView view = registry.plugin(session.bearer(), id, version);
        List<PluginDetail.Connection> connections = new ArrayList<>();
        JsonNode manifest = view.manifest() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : view.manifest();
        for (JsonNode entry : manifest.path("connections")) {
            connections.add(new PluginDetail.Connection(entry.path("kind").asText(), entry.path("key").asText(), text(entry, "label"),
                    text(entry, "connector"), strings(entry.path("scopes")), shape(entry.path("shape")), text(entry, "help"),
                    entry.path("required").asBoolean(true)));
        }
        return new PluginDetail(view.pluginId(), view.version(), view.label(), view.description(), view.ownerTenant(), view.state(),
                view.publishedAt(), connections);
    }

    /** A tool's input fields: the top-level properties of its JSON Schema, required ones marked. */
    static List<ConnectorDetail.InputField> inputFields(JsonNode schema) {
        Set<String> required = new java.util.HashSet<>(strings(schema.path("required")));
        List<ConnectorDetail.InputField> fields = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            JsonNode p = property.getValue();
            String type = p.path("type").isTextual() ? p.path("type").asText()
                    : p.has("enum") ? "one of " + String.join(", ", strings(p.path("enum"))) : p.path("type").isArray() ? String.join(" | ", strings(p.path("type"))) : "any";
            fields.add(new ConnectorDetail.InputField(property.getKey(), type, required.contains(property.getKey()), text(p, "description")));
        }
        return fields;
    }

    public static ConnectorDetail.Shape shape(JsonNode shape) {
        if (!shape.isObject()) {
            return null;
        }
        String kind = shape.path("kind").asText();
        List<ConnectorDetail.ShapeField> fields = new ArrayList<>();
        switch (kind) {
            case "single" -> fields.add(new ConnectorDetail.ShapeField(shape.path("field").asText("value"), shape.path("field").asText("value"),
                    shape.path("secret").asBoolean(true)));
            case "pair" -> {
                fields.add(new ConnectorDetail.ShapeField("username", shape.path("usernameLabel").asText("Username"), false));
                fields.add(new ConnectorDetail.ShapeField("password", shape.path("passwordLabel").asText("Password"), true));
            }
            case "tuple" -> {
                for (JsonNode field : shape.path("fields")) {
                    fields.add(new ConnectorDetail.ShapeField(field.path("name").asText(), field.path("label").asText(field.path("name").asText()),
                            field.path("secret").asBoolean(true)));
                }
            }
            default -> {
                // an unknown kind: shown by name only
            }
        }
        return new ConnectorDetail.Shape(kind, fields);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (JsonNode value : array) {
            values.add(value.asText());
        }
        return values;
    }
}
