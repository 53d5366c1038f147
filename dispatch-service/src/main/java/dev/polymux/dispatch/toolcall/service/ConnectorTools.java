package dev.polymux.dispatch.toolcall.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;

import dev.polymux.connector.engine.HttpToolEngine;
import dev.polymux.connector.schema.ToolInputSchemas;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.ToolOutcome;
import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.toolcall.ErrorCode;
import io.smallrye.mutiny.Uni;

/**
 * A connection's tools: finding the tool in the pinned manifest, checking the arguments against its input schema
 * (before any credential is fetched), and running it, by the connector's Java handler when the manifest names a
 * registered one (mqtt, google-drive) or else by the declarative HTTP engine.
 */
@ApplicationScoped
public class ConnectorTools {

    /** A tool of a connection, ready to run. */
    public record Tool(ResolvedConnection connection, String name, JsonNode definition) {
    }

    private final ConnectorRegistry handlers;
    private final HttpToolEngine httpTools;
    private final Map<String, JsonSchema> inputSchemas = new ConcurrentHashMap<>();

    public ConnectorTools(ConnectorRegistry handlers, HttpToolEngine httpTools) {
        this.handlers = handlers;
        this.httpTools = httpTools;
    }

    /** The tool, with its arguments checked; a {@link CallFailure} (UNKNOWN_TOOL, BAD_ARGUMENTS) otherwise. */
    public Tool find(ResolvedConnection connection, String name, JsonNode arguments) {
        if (connection.manifest() == null) {
            throw new CallFailure(ErrorCode.UNKNOWN_TOOL, "Connection '" + connection.connectionKey() + "' of plugin " + connection.pluginId()
                    + " stores a credential but names no connector, so it has no tools.");
        }
        List<String> offered = new ArrayList<>();
        for (JsonNode tool : connection.manifest().path("tools")) {
            offered.add(tool.path("name").asText());
            if (name.equals(tool.path("name").asText())) {
                checkArguments(connection, tool, arguments);
                return new Tool(connection, name, tool);
            }
        }
        throw new CallFailure(ErrorCode.UNKNOWN_TOOL, "Connector " + connection.connectorId() + " has no tool '" + name + "'; it offers "
                + offered + ".");
    }

    public Uni<ToolOutcome> run(Tool tool, JsonNode arguments, Credentials credentials, DispatchContext context) {
        String handlerId = tool.connection().manifest().path("handler").asText(null);
        if (handlerId != null && handlers.find(handlerId).isPresent()) {
            return handlers.require(handlerId).dispatchTool(tool.name(), arguments, credentials, context);
        }
        if (!tool.definition().path("http").isObject()) {
            return Uni.createFrom().failure(new CallFailure(ErrorCode.INTERNAL, "Tool '" + tool.name() + "' of connector "
                    + tool.connection().connectorId() + " needs the handler '" + handlerId + "', which this dispatcher does not have."));
        }
        return httpTools.dispatch(tool.connection().manifest(), tool.name(), arguments, credentials, context);
    }

    private void checkArguments(ResolvedConnection connection, JsonNode tool, JsonNode arguments) {
        String key = connection.connectorId() + "@" + connection.connectorVersion() + "#" + tool.path("name").asText();
        JsonNode input = tool.path("input").isObject() ? tool.path("input") : JsonNodeFactory.instance.objectNode();
        JsonSchema schema;
        try {
            // RE2/J patterns, nothing loaded from anywhere: a manifest's schema can neither stall nor fetch.
            schema = inputSchemas.computeIfAbsent(key, ignored -> ToolInputSchemas.compile(input));
        } catch (ToolInputSchemas.UnsafeSchemaException unsafe) {
            // A version approved before review checked schemas: the connector's fault, said as such, never a fetch.
            throw new CallFailure(ErrorCode.INTERNAL, unsafe.getMessage());
        }
        List<String> problems = new ArrayList<>();
        for (ValidationMessage message : schema.validate(arguments == null ? JsonNodeFactory.instance.objectNode() : arguments)) {
            String pointer = message.getInstanceLocation().toString();
            // The rule and the property, never the value: arguments may hold anything.
            problems.add((pointer.isEmpty() ? "/" : pointer) + " " + message.getType()
                    + (message.getProperty() == null ? "" : " (" + message.getProperty() + ")"));
        }
        if (!problems.isEmpty()) {
            problems.sort(null);
            throw new CallFailure(ErrorCode.BAD_ARGUMENTS, "The arguments do not fit the input schema of tool '" + tool.path("name").asText()
                    + "': " + String.join(", ", problems) + ".");
        }
    }
}
