package dev.polymux.dispatch.installation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.dispatch.credential.service.CredentialSource;
import dev.polymux.dispatch.installation.service.InstallationResolver;

/**
 * Every replica reads every connection event (its own consumer group, from now on): whatever happened to an
 * installation (credentials stored or deleted, grant authorized or broken, uninstalled), what this replica cached
 * about it is dropped, so the next call asks the registry, vault-service or oauth-service afresh.
 */
@ApplicationScoped
public class ConnectionEventsListener {

    private static final Logger LOG = Logger.getLogger(ConnectionEventsListener.class);

    private final InstallationResolver installations;
    private final CredentialSource credentials;
    private final ObjectMapper mapper;

    public ConnectionEventsListener(InstallationResolver installations, CredentialSource credentials, ObjectMapper mapper) {
        this.installations = installations;
        this.credentials = credentials;
        this.mapper = mapper;
    }

    @Incoming("connection-events")
    public void onEvent(String json) {
        CloudEvent event = CloudEvent.readOrSkip(mapper, json, LOG);
        if (event == null || event.subject() == null) {
            return;
        }
        installations.forget(event.subject());
        credentials.forget(event.subject());
    }
}
