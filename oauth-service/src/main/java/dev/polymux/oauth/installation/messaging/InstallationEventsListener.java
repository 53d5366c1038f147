package dev.polymux.oauth.installation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.oauth.installation.service.InstallationProjection;
import io.smallrye.mutiny.Uni;

/** Reads the registry's installation events; anything that is not a CloudEvent is skipped with a warning. */
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
        return event == null ? Uni.createFrom().voidItem() : projection.apply(event);
    }
}
