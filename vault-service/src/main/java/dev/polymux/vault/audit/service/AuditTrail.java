package dev.polymux.vault.audit.service;

import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.EventTopics;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.vault.config.VaultConfig;
import dev.polymux.vault.oauthclient.ClientKey;
import io.smallrye.mutiny.Uni;

/**
 * Records every read, write and delete of secret fields as an audit event, through the outbox in the caller's
 * transaction: a read is answered only once its audit record is committed, so no value leaves unrecorded.
 */
@ApplicationScoped
public class AuditTrail {

    public static final String SECRET_READ = "dev.polymux.secret.read.v1";
    public static final String SECRET_WRITTEN = "dev.polymux.secret.written.v1";
    public static final String SECRET_DELETED = "dev.polymux.secret.deleted.v1";
    public static final String OAUTH_CLIENT_READ = "dev.polymux.oauth-client.read.v1";
    public static final String OAUTH_CLIENT_WRITTEN = "dev.polymux.oauth-client.written.v1";
    public static final String OAUTH_CLIENT_DELETED = "dev.polymux.oauth-client.deleted.v1";

    /** Who acted: an installer (user) over REST, or a service over internal gRPC. */
    public record Actor(String kind, String name) {
        public static Actor user(String subject) {
            return new Actor("user", subject);
        }

        public static Actor service(String name) {
            return new Actor("service", name);
        }

        public static Actor system(String what) {
            return new Actor("system", what);
        }
    }

    private final OutboxService outbox;
    private final VaultConfig config;
    private final ObjectMapper mapper;

    public AuditTrail(OutboxService outbox, VaultConfig config, ObjectMapper mapper) {
        this.outbox = outbox;
        this.config = config;
        this.mapper = mapper;
    }

    /** Joins the caller's transaction. {@code purpose} is what the caller said it needs the secret for, if anything. */
    public Uni<Void> record(String type, String tenant, String installationId, String credential, Collection<String> fields,
            Actor actor, String purpose, long version) {
        ObjectNode data = mapper.createObjectNode()
                .put("tenantId", tenant).put("installationId", installationId).put("credential", credential)
                .put("actorKind", actor.kind()).put("actor", actor.name()).put("version", version);
        fields.stream().sorted().forEach(data.putArray("fields")::add);
        if (purpose != null && !purpose.isBlank()) {
            data.put("purpose", purpose.length() > 200 ? purpose.substring(0, 200) : purpose);
        }
        return outbox.enqueue(EventTopics.AUDIT_EVENTS, installationId, CloudEvent.create(config.eventSource(), type, installationId, data))
                .replaceWithVoid();
    }

    /**
     * The same for an OAuth client's fields; key and subject are {@link ClientKey#subject()}. {@code via} is the service
     * that acted for {@code actor} (oauth-service storing what an admin or installer registered), if any.
     */
    public Uni<Void> recordOAuthClient(String type, ClientKey key, Collection<String> fields, Actor actor, String via, String purpose,
            long version) {
        ObjectNode data = mapper.createObjectNode().put("owner", key.platform() ? "platform" : "tenant");
        if (!key.platform()) {
            data.put("tenantId", key.tenant());
        }
        data.put("connectorId", key.connectorId()).put("actorKind", actor.kind()).put("actor", actor.name()).put("version", version);
        fields.stream().sorted().forEach(data.putArray("fields")::add);
        if (via != null && !via.equals(actor.name())) {
            data.put("via", via);
        }
        if (purpose != null && !purpose.isBlank()) {
            data.put("purpose", purpose.length() > 200 ? purpose.substring(0, 200) : purpose);
        }
        return outbox.enqueue(EventTopics.AUDIT_EVENTS, key.subject(), CloudEvent.create(config.eventSource(), type, key.subject(), data))
                .replaceWithVoid();
    }
}
