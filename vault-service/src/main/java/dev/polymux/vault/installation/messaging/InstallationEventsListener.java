package dev.polymux.vault.installation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.vault.installation.service.InstallationProjection;
import io.smallrye.mutiny.Uni;

/**
 * Reads the registry's installation events from polymux.connection-events.v1. An event that is not a CloudEvent is
 * logged (never its content) and skipped, so it cannot stop the events behind it.
 */
@ApplicationScoped
public class InstallationEventsListener {

    private static final Logger LOG = Logger.getLogger(InstallationEventsListener.class);

    private final InstallationProjection projection;
    private final ObjectMapper mapper;

    public InstallationEventsListener(InstallationProjection projection, ObjectMapper mapper) {
        this.projection = projection;
        this.mapper = mapper;
    }

    @Incoming("connection-events")
    public Uni<Void> onConnectionEvent(String json) {
        CloudEvent event = CloudEvent.readOrSkip(mapper, json, LOG);
        if (event == null) {
            return Uni.createFrom().voidItem();
        }
        return projection.apply(event);
    }
}
