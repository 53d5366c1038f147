package dev.polymux.registry.connector.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.EventTopics;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.ListingVersion;
import dev.polymux.registry.listing.ReviewState;
import dev.polymux.registry.listing.service.ListingCatalog;
import dev.polymux.registry.listing.service.ReviewFinding;
import dev.polymux.registry.listing.service.Submission;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The connection side of the publishing flow: an author's draft (editable), submitted after the stricter automated
 * checks ({@link ReviewChecks}; immutable from then on), approved or rejected by a platform reviewer who neither
 * created, edited nor submitted it — never by policy — and deprecated later. Approval and deprecation are announced on
 * polymux.registry-events.v1 in the same transaction (outbox).
 */
@ApplicationScoped
public class ConnectorCatalogService implements ListingCatalog<ConnectorVersion> {

    public static final String APPROVED_EVENT = "dev.polymux.connector.approved.v1";
    public static final String DEPRECATED_EVENT = "dev.polymux.connector.deprecated.v1";

    private final ConnectorVersionRepository repository;
    private final ManifestValidator validator;
    private final ReviewChecks checks;
    private final OutboxService outbox;
    private final RegistryConfig config;
    private final ObjectMapper mapper;

    public ConnectorCatalogService(ConnectorVersionRepository repository, ManifestValidator validator, ReviewChecks checks,
            OutboxService outbox, RegistryConfig config, ObjectMapper mapper) {
        this.repository = repository;
        this.validator = validator;
        this.checks = checks;
        this.outbox = outbox;
        this.config = config;
        this.mapper = mapper;
    }

    @Override
    public ListingType type() {
        return ListingType.CONNECTION;
    }

    @Override
    @WithTransaction
    public Uni<ConnectorVersion> createDraft(String tenant, String author, JsonNode manifest) {
        requireValid(manifest);
        String connectorId = manifest.path("id").asText();
        String version = manifest.path("version").asText();
        return repository.ownerOf(connectorId).flatMap(owner -> {
            if (owner != null && !owner.equals(tenant)) {
                throw ProblemException.conflict("The connector id '" + connectorId + "' belongs to another publisher; choose another id.");
            }
            return repository.findVersion(connectorId, version);
        }).flatMap(existing -> {
            if (existing != null) {
                throw ProblemException.conflict("Connector " + connectorId + " " + version + " exists already; a new version needs a new number.");
            }
            return repository.persist(ConnectorVersion.fromManifest(manifest, tenant, author, ReviewState.DRAFT));
        });
    }

    @Override
    @WithTransaction
    public Uni<ConnectorVersion> updateDraft(String tenant, String editor, String connectorId, String version, JsonNode manifest) {
        requireValid(manifest);
        requireSameIdentity(connectorId, version, manifest);
        return owned(tenant, connectorId, version).map(found -> {
            found.edit(editor);
            found.applyManifest(manifest);
            return found;
        });
    }

    /**
     * Runs the automated checks and stores their findings. Without blocking findings the version goes to review;
     * with them it stays a draft, and the findings are kept for the author to read. Never approved here: a person
     * approves every connection.
     */
    @Override
    @WithTransaction
    public Uni<Submission<ConnectorVersion>> submit(String tenant, String submitter, String connectorId, String version) {
        return owned(tenant, connectorId, version).map(found -> {
            found.requireState(ReviewState.DRAFT, "Only a draft can be submitted for review.");
            List<ReviewFinding> findings = checks.run(readTree(found.manifest));
            List<ReviewFinding> blocking = findings.stream().filter(ReviewFinding::blocking).toList();
            found.submit(submitter, writeJson(findings), !blocking.isEmpty());
            return new Submission<>(found, blocking);
        });
    }

    @Override
    @WithTransaction
    public Uni<ConnectorVersion> approve(String reviewer, String connectorId, String version, String note) {
        return existing(connectorId, version).invoke(found -> found.decide(reviewer, ReviewState.APPROVED, note))
                .call(approved -> announce(approved, APPROVED_EVENT));
    }

    @Override
    @WithTransaction
    public Uni<ConnectorVersion> reject(String reviewer, String connectorId, String version, String note) {
        ListingVersion.requireRejectionNote(note);
        return existing(connectorId, version).invoke(found -> found.decide(reviewer, ReviewState.REJECTED, note));
    }

    @Override
    @WithTransaction
    public Uni<ConnectorVersion> deprecate(String connectorId, String version, String note) {
        return existing(connectorId, version).invoke(found -> found.deprecate(note))
                .call(found -> announce(found, DEPRECATED_EVENT));
    }

    @Override
    @WithSession
    public Uni<List<ConnectorVersion>> ownedBy(String tenant) {
        return repository.listOwnedBy(tenant);
    }

    @Override
    @WithSession
    public Uni<ConnectorVersion> ownedVersion(String tenant, String connectorId, String version) {
        return ownedForReading(tenant, connectorId, version);
    }

    @Override
    @WithSession
    public Uni<List<ConnectorVersion>> reviewQueue() {
        return repository.listInState(ReviewState.IN_REVIEW);
    }

    private Uni<Void> announce(ConnectorVersion version, String type) {
        ObjectNode data = mapper.createObjectNode()
                .put("connectorId", version.connectorId).put("version", version.version).put("kind", version.kind)
                .put("state", version.state);
        CloudEvent event = CloudEvent.create(config.eventSource(), type, version.connectorId, data);
        return outbox.enqueue(EventTopics.REGISTRY_EVENTS, version.connectorId, event).replaceWithVoid();
    }

    /**
     * An own connector version, locked for the change the transaction makes, or 404 (another tenant's versions do not
     * exist for this caller).
     */
    private Uni<ConnectorVersion> owned(String tenant, String connectorId, String version) {
        return repository.findVersionForUpdate(connectorId, version).map(found -> ownedOrNotFound(found, tenant, connectorId, version));
    }

    private static ConnectorVersion ownedOrNotFound(ConnectorVersion found, String tenant, String connectorId, String version) {
        if (found == null || !found.ownerTenant.equals(tenant)) {
            throw ProblemException.notFound("You have no connector " + connectorId + " " + version + ".");
        }
        return found;
    }

    /** As {@link #owned}, without the lock, for reading. */
    private Uni<ConnectorVersion> ownedForReading(String tenant, String connectorId, String version) {
        return repository.findVersion(connectorId, version).map(found -> ownedOrNotFound(found, tenant, connectorId, version));
    }

    /** Any tenant's version, locked for the decision the transaction records. */
    private Uni<ConnectorVersion> existing(String connectorId, String version) {
        return repository.findVersionForUpdate(connectorId, version).map(found -> {
            if (found == null) {
                throw ProblemException.notFound("There is no connector " + connectorId + " " + version + ".");
            }
            return found;
        });
    }

    /** An edit names the version it replaces: the manifest's id and version must be the path's. */
    public static void requireSameIdentity(String id, String version, JsonNode manifest) {
        if (!id.equals(manifest.path("id").asText()) || !version.equals(manifest.path("version").asText())) {
            throw ProblemException.invalid("The manifest's id and version must match the path.", List.of(
                    new Problem.InvalidParam("/id", "must be " + id), new Problem.InvalidParam("/version", "must be " + version)));
        }
    }

    private void requireValid(JsonNode manifest) {
        List<Problem.InvalidParam> problems = validator.validateConnector(manifest).stream()
                .map(v -> new Problem.InvalidParam(v.pointer(), v.message())).toList();
        if (!problems.isEmpty()) {
            throw ProblemException.invalid(problems.size() == 1 ? "The manifest has one problem." : "The manifest has " + problems.size() + " problems.",
                    problems);
        }
    }

    JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored manifest is not JSON", e);
        }
    }

    private String writeJson(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
