package dev.polymux.registry.installation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.registry.installation.service.InstallationService;
import io.smallrye.mutiny.Uni;

/**
 * Turns polymux.connection-events.v1 into installation status. An event that cannot be read is logged (type and
 * offset, never its content) and skipped: it cannot be applied, and it must not stop the events behind it.
 */
@ApplicationScoped
public class InstallationStatusListener {

    private static final Logger LOG = Logger.getLogger(InstallationStatusListener.class);

    private final InstallationService installations;
    private final ObjectMapper mapper;

    public InstallationStatusListener(InstallationService installations, ObjectMapper mapper) {
        this.installations = installations;
        this.mapper = mapper;
    }

    @Incoming("connection-events")
    public Uni<Void> onConnectionEvent(String json) {
        CloudEvent event = CloudEvent.readOrSkip(mapper, json, LOG);
        if (event == null) {
            return Uni.createFrom().voidItem();
        }
        return installations.apply(event)
                .invoke(applied -> {
                    if (applied) {
                        LOG.debugf("Installation %s: %s applied", event.subject(), event.type());
                    }
                })
                .replaceWithVoid();
    }
}
