package dev.polymux.connector.sdk;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * Every {@link ConnectorHandler} bean, by id: the registry of connectors with code. Writing a handler bean is all it
 * takes to register it. Two handlers with one id stop the service at start, rather than one silently winning.
 */
@ApplicationScoped
public class ConnectorRegistry {

    private final Map<String, ConnectorHandler> handlers;

    @Inject
    public ConnectorRegistry(@Any Instance<ConnectorHandler> handlers) {
        this(handlers.stream().toList());
    }

    public ConnectorRegistry(Collection<ConnectorHandler> handlers) {
        Map<String, ConnectorHandler> byId = new LinkedHashMap<>();
        for (ConnectorHandler handler : handlers) {
            ConnectorHandler clash = byId.putIfAbsent(handler.id(), handler);
            if (clash != null) {
                throw new IllegalStateException("Two connector handlers claim the id '" + handler.id() + "': "
                        + clash.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
        // Sorted: the ids appear in messages, which should read the same on every run.
        this.handlers = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(byId));
    }

    public Optional<ConnectorHandler> find(String id) {
        return Optional.ofNullable(handlers.get(id));
    }

    /** The handler, or an exception whose message a connector author can act on. */
    public ConnectorHandler require(String id) {
        ConnectorHandler handler = handlers.get(id);
        if (handler == null) {
            throw new IllegalArgumentException("No connector handler with id '" + id + "'; known: " + handlers.keySet());
        }
        return handler;
    }

    public Collection<String> ids() {
        return handlers.keySet();
    }
}
