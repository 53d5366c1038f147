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

import dev.polymux.connector.engine.HttpRequestAction;
import dev.polymux.connector.engine.HttpToolEngine;
import dev.polymux.connector.engine.RequestTarget;
import dev.polymux.connector.schema.ToolInputSchemas;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.ToolOutcome;
import dev.polymux.dispatch.command.service.CommandAction;
import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.toolcall.ErrorCode;
import io.smallrye.mutiny.Uni;

/**
 * A connection's tools: finding the tool in the pinned manifest, checking the arguments against its input schema
 * (before any credential is fetched), and running it, by the connector's Java handler when the manifest names a
 * registered one (mqtt, google-drive) or else by the declarative HTTP engine. Every vault and OAuth connection also
 * has the built-in actions its entry or connector declares: {@code polymux.http_request} and {@code polymux.command}.
 */
@ApplicationScoped
public class ConnectorTools {

    /**
     * A tool of a connection, ready to run: a tool of its connector ({@code definition} from the manifest), or a
     * built-in action ({@code request} for polymux.http_request, {@code command} the entry's block for polymux.command).
     */
    public record Tool(ResolvedConnection connection, String name, JsonNode definition, RequestTarget request, JsonNode command) {
        Tool(ResolvedConnection connection, String name, JsonNode definition) {
            this(connection, name, definition, null, null);
        }
    }

    private static final JsonNode REQUEST_INPUT = parse(HttpRequestAction.INPUT_SCHEMA_JSON);
    private static final JsonNode COMMAND_INPUT = parse(CommandAction.INPUT_SCHEMA_JSON);

    private final ConnectorRegistry handlers;
    private final HttpToolEngine httpTools;
    private final CommandAction commands;
    private final Map<String, JsonSchema> inputSchemas = new ConcurrentHashMap<>();

    public ConnectorTools(ConnectorRegistry handlers, HttpToolEngine httpTools, CommandAction commands) {
        this.handlers = handlers;
        this.httpTools = httpTools;
        this.commands = commands;
    }

    /** The tool, with its arguments checked; a {@link CallFailure} (UNKNOWN_TOOL, BAD_ARGUMENTS) otherwise. */
    public Tool find(ResolvedConnection connection, String name, JsonNode arguments) {
        if (name.equals(RequestTarget.ACTION)) {
            return requestAction(connection, arguments);
        }
        if (name.equals(CommandAction.ACTION)) {
            return commandAction(connection, arguments);
        }
        if (connection.manifest() == null) {
            throw new CallFailure(ErrorCode.UNKNOWN_TOOL, "Connection '" + connection.connectionKey() + "' of plugin " + connection.pluginId()
                    + " names no connector, so it has no tools of its own; it offers " + builtins(connection) + ".");
        }
        List<String> offered = new ArrayList<>();
        for (JsonNode tool : connection.manifest().path("tools")) {
            offered.add(tool.path("name").asText());
            if (name.equals(tool.path("name").asText())) {
                checkArguments(connection, tool, arguments);
                return new Tool(connection, name, tool);
            }
        }
        offered.addAll(builtins(connection));
        throw new CallFailure(ErrorCode.UNKNOWN_TOOL, "Connector " + connection.connectorId() + " has no tool '" + name + "'; it offers "
                + offered + ".");
    }

    /** polymux.http_request: the entry's request block, or what the connector allows (vault and OAuth connectors). */
    private Tool requestAction(ResolvedConnection connection, JsonNode arguments) {
        RequestTarget target = requestTarget(connection).orElseThrow(() -> new CallFailure(ErrorCode.UNKNOWN_TOOL, "Connection '"
                + connection.connectionKey() + "' of plugin " + connection.pluginId() + " has no " + RequestTarget.ACTION + ": "
                + (connection.manifest() == null ? "its entry declares no request block (allowedHosts and where the credential goes)."
                        : "its connector declares no auth.request and its tools place the credential in different ways.")));
        check("builtin#" + RequestTarget.ACTION, RequestTarget.ACTION, REQUEST_INPUT, arguments);
        return new Tool(connection, RequestTarget.ACTION, null, target, null);
    }

    /** polymux.command: only for an entry with a command block, where the operator enabled it and allows its program. */
    private Tool commandAction(ResolvedConnection connection, JsonNode arguments) {
        JsonNode command = connection.entry().path("command");
        if (!command.isObject()) {
            throw new CallFailure(ErrorCode.UNKNOWN_TOOL, "Connection '" + connection.connectionKey() + "' of plugin " + connection.pluginId()
                    + " has no " + CommandAction.ACTION + ": its entry declares no command block.");
        }
        String refused = commands.refusal(command);
        if (refused != null) {
            throw new CallFailure(ErrorCode.UNKNOWN_TOOL, refused);
        }
        check("builtin#" + CommandAction.ACTION, CommandAction.ACTION, COMMAND_INPUT, arguments);
        return new Tool(connection, CommandAction.ACTION, null, null, command);
    }

    private static java.util.Optional<RequestTarget> requestTarget(ResolvedConnection connection) {
        return connection.manifest() == null ? RequestTarget.ofEntry(connection.entry()) : RequestTarget.ofConnector(connection.manifest());
    }

    /** The built-in actions a connection offers, for the sentence that lists its tools. */
    private static List<String> builtins(ResolvedConnection connection) {
        List<String> offered = new ArrayList<>();
        requestTarget(connection).ifPresent(ignored -> offered.add(RequestTarget.ACTION));
        if (connection.entry().path("command").isObject()) {
            offered.add(CommandAction.ACTION);
        }
        return offered;
    }

    public Uni<ToolOutcome> run(Tool tool, JsonNode arguments, Credentials credentials, DispatchContext context) {
        if (tool.request() != null) {
            return httpTools.request(tool.request(), arguments, credentials, context);
        }
        if (tool.command() != null) {
            return commands.run(tool.command(), arguments, credentials, context);
        }
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
        check(key, tool.path("name").asText(), input, arguments);
    }

    private void check(String key, String toolName, JsonNode input, JsonNode arguments) {
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
            throw new CallFailure(ErrorCode.BAD_ARGUMENTS, "The arguments do not fit the input schema of tool '" + toolName
                    + "': " + String.join(", ", problems) + ".");
        }
    }

    private static JsonNode parse(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("A built-in action's schema is not JSON", e);
        }
    }
}
