package dev.polymux.registry.connector.service;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.EventTopics;
import dev.polymux.common.outbox.service.OutboxService;
import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.connector.ReviewState;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The life of a connector version: an author's draft (editable), submitted for review after the automated checks
 * (immutable from then on), approved or rejected by a reviewer who neither created, edited nor submitted it,
 * deprecated later. Approval and deprecation are announced on polymux.registry-events.v1 in the same transaction
 * (outbox).
 */
@ApplicationScoped
public class ConnectorCatalogService {

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

    @WithTransaction
    public Uni<ConnectorVersion> updateDraft(String tenant, String editor, String connectorId, String version, JsonNode manifest) {
        requireValid(manifest);
        if (!connectorId.equals(manifest.path("id").asText()) || !version.equals(manifest.path("version").asText())) {
            throw ProblemException.invalid("The manifest's id and version must match the path.", List.of(
                    new Problem.InvalidParam("/id", "must be " + connectorId), new Problem.InvalidParam("/version", "must be " + version)));
        }
        return owned(tenant, connectorId, version).map(found -> {
            requireState(found, ReviewState.DRAFT, "Only drafts change; a submitted version is immutable, so publish a new version.");
            found.applyManifest(manifest);
            found.recordContributor(editor);
            return found;
        });
    }

    /** What a submission came to: the version (in review, or still a draft) and the findings that block it. */
    public record Submission(ConnectorVersion version, List<ReviewFinding> blocking) {
    }

    /**
     * Runs the automated checks and stores their findings. Without blocking findings the version goes to review;
     * with them it stays a draft, and the findings are kept for the author to read.
     */
    @WithTransaction
    public Uni<Submission> submit(String tenant, String submitter, String connectorId, String version) {
        return owned(tenant, connectorId, version).map(found -> {
            requireState(found, ReviewState.DRAFT, "Only a draft can be submitted for review.");
            // Recorded even when blocking findings keep it a draft: whoever submits vouches for the content.
            found.recordContributor(submitter);
            List<ReviewFinding> findings = checks.run(readTree(found.manifest));
            found.reviewFindings = writeJson(findings);
            found.updatedAt = Instant.now();
            List<ReviewFinding> blocking = findings.stream().filter(ReviewFinding::blocking).toList();
            if (blocking.isEmpty()) {
                found.state = ReviewState.IN_REVIEW.value();
                found.submittedAt = Instant.now();
            }
            return new Submission(found, blocking);
        });
    }

    @WithTransaction
    public Uni<ConnectorVersion> approve(String reviewer, String connectorId, String version, String note) {
        return decide(reviewer, connectorId, version, note, ReviewState.APPROVED)
                .call(approved -> announce(approved, APPROVED_EVENT));
    }

    @WithTransaction
    public Uni<ConnectorVersion> reject(String reviewer, String connectorId, String version, String note) {
        if (note == null || note.isBlank()) {
            throw ProblemException.invalid("A rejection needs a note telling the author what to change.",
                    List.of(new Problem.InvalidParam("/note", "must not be blank")));
        }
        return decide(reviewer, connectorId, version, note, ReviewState.REJECTED);
    }

    @WithTransaction
    public Uni<ConnectorVersion> deprecate(String connectorId, String version, String note) {
        return existing(connectorId, version).flatMap(found -> {
            requireState(found, ReviewState.APPROVED, "Only an approved version can be deprecated.");
            found.state = ReviewState.DEPRECATED.value();
            found.reviewNote = note;
            found.updatedAt = Instant.now();
            return announce(found, DEPRECATED_EVENT).replaceWith(found);
        });
    }

    @WithSession
    public Uni<List<ConnectorVersion>> ownedBy(String tenant) {
        return repository.listOwnedBy(tenant);
    }

    @WithSession
    public Uni<ConnectorVersion> ownedVersion(String tenant, String connectorId, String version) {
        return owned(tenant, connectorId, version);
    }

    @WithSession
    public Uni<List<ConnectorVersion>> reviewQueue() {
        return repository.listInState(ReviewState.IN_REVIEW);
    }

    private Uni<ConnectorVersion> decide(String reviewer, String connectorId, String version, String note, ReviewState decision) {
        return existing(connectorId, version).map(found -> {
            requireState(found, ReviewState.IN_REVIEW, "Only a version in review can be approved or rejected.");
            if (found.author.equals(reviewer)) {
                throw ProblemException.forbidden("You cannot review a connector you authored; another reviewer must.");
            }
            if (found.touchedBy(reviewer)) {
                throw ProblemException.forbidden("You cannot review a connector version you edited or submitted; another reviewer must.");
            }
            found.state = decision.value();
            found.reviewer = reviewer;
            found.reviewNote = note;
            found.decidedAt = Instant.now();
            found.updatedAt = found.decidedAt;
            return found;
        });
    }

    private Uni<Void> announce(ConnectorVersion version, String type) {
        ObjectNode data = mapper.createObjectNode()
                .put("connectorId", version.connectorId).put("version", version.version).put("kind", version.kind)
                .put("state", version.state);
        CloudEvent event = CloudEvent.create(config.eventSource(), type, version.connectorId, data);
        return outbox.enqueue(EventTopics.REGISTRY_EVENTS, version.connectorId, event).replaceWithVoid();
    }

    /** An own connector version, or 404 (another tenant's versions do not exist for this caller). */
    private Uni<ConnectorVersion> owned(String tenant, String connectorId, String version) {
        return repository.findVersion(connectorId, version).map(found -> {
            if (found == null || !found.ownerTenant.equals(tenant)) {
                throw ProblemException.notFound("You have no connector " + connectorId + " " + version + ".");
            }
            return found;
        });
    }

    private Uni<ConnectorVersion> existing(String connectorId, String version) {
        return repository.findVersion(connectorId, version).map(found -> {
            if (found == null) {
                throw ProblemException.notFound("There is no connector " + connectorId + " " + version + ".");
            }
            return found;
        });
    }

    private static void requireState(ConnectorVersion version, ReviewState expected, String sentence) {
        if (version.reviewState() != expected) {
            throw new ProblemException(ProblemType.STATE_CONFLICT, sentence + " This version is " + version.state + ".");
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
