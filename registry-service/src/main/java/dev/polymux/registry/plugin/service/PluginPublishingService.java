package dev.polymux.registry.plugin.service;

import java.time.Instant;
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
import dev.polymux.common.problem.ProblemType;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.config.RegistryConfig.AutoApprove;
import dev.polymux.registry.connector.service.ConnectorCatalogService;
import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.ListingVersion;
import dev.polymux.registry.listing.ReviewState;
import dev.polymux.registry.listing.service.ListingCatalog;
import dev.polymux.registry.listing.service.ReviewFinding;
import dev.polymux.registry.listing.service.Submission;
import dev.polymux.registry.plugin.PluginVersion;
import dev.polymux.registry.plugin.repository.PluginVersionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The plugin side of the publishing flow. A draft's manifest must be valid on its own; submission runs
 * {@link PluginChecks} and pins the connector versions the plugin uses, so a later connector release never changes what
 * an installed plugin runs. A version in review is approved by a platform reviewer, or at once by the operator's policy
 * ({@code polymux.registry.plugins.auto-approve}). Approval announces dev.polymux.plugin.published.v1, deprecation
 * dev.polymux.plugin.deprecated.v1; only approved versions are in the Plugins tab and can be installed.
 */
@ApplicationScoped
public class PluginPublishingService implements ListingCatalog<PluginVersion> {

    public static final String PUBLISHED_EVENT = "dev.polymux.plugin.published.v1";
    public static final String DEPRECATED_EVENT = "dev.polymux.plugin.deprecated.v1";

    private final PluginVersionRepository plugins;
    private final PluginChecks checks;
    private final ManifestValidator validator;
    private final OutboxService outbox;
    private final RegistryConfig config;
    private final ObjectMapper mapper;

    public PluginPublishingService(PluginVersionRepository plugins, PluginChecks checks, ManifestValidator validator,
            OutboxService outbox, RegistryConfig config, ObjectMapper mapper) {
        this.plugins = plugins;
        this.checks = checks;
        this.validator = validator;
        this.outbox = outbox;
        this.config = config;
        this.mapper = mapper;
    }

    @Override
    public ListingType type() {
        return ListingType.PLUGIN;
    }

    @Override
    @WithTransaction
    public Uni<PluginVersion> createDraft(String tenant, String author, JsonNode manifest) {
        return draft(tenant, author, manifest);
    }

    @Override
    @WithTransaction
    public Uni<PluginVersion> updateDraft(String tenant, String editor, String pluginId, String version, JsonNode manifest) {
        requireValid(manifest);
        ConnectorCatalogService.requireSameIdentity(pluginId, version, manifest);
        return owned(tenant, pluginId, version).map(found -> {
            found.edit(editor);
            found.applyManifest(manifest);
            return found;
        });
    }

    @Override
    @WithTransaction
    public Uni<Submission<PluginVersion>> submit(String tenant, String submitter, String pluginId, String version) {
        return owned(tenant, pluginId, version).flatMap(found -> submitDraft(found, submitter));
    }

    /**
     * The one-step publish of {@code POST /tenants/{tenant}/plugins} (kept for its existing callers): a draft submitted
     * at once. Blocking findings answer 400 with their pointers, as that endpoint always did, and nothing is stored;
     * otherwise the version is in review, or approved when the policy allows.
     */
    @WithTransaction
    public Uni<PluginVersion> publish(String tenant, String author, JsonNode manifest) {
        return draft(tenant, author, manifest).flatMap(created -> submitDraft(created, author)).map(submission -> {
            if (!submission.blocking().isEmpty()) {
                throw invalid(submission.blocking().stream().map(f -> new Problem.InvalidParam(f.pointer(), f.message())).toList());
            }
            return submission.version();
        });
    }

    @Override
    @WithTransaction
    public Uni<PluginVersion> approve(String reviewer, String pluginId, String version, String note) {
        return existing(pluginId, version).call(found -> {
            // The reviewer rules come first: whoever touched the version is refused whatever its connectors' state.
            found.requireMayDecide(reviewer);
            return checks.firstUnapprovedPin(readTree(found.manifest)).invoke(unapproved -> {
                if (unapproved != null) {
                    throw new ProblemException(ProblemType.STATE_CONFLICT, "Plugin " + pluginId + " " + version + " cannot be approved while "
                            + unapproved + "; every connector it uses must be approved first.");
                }
            });
        }).invoke(found -> {
            found.decide(reviewer, ReviewState.APPROVED, note);
            found.publishedAt = found.decidedAt;
        }).call(this::announce);
    }

    @Override
    @WithTransaction
    public Uni<PluginVersion> reject(String reviewer, String pluginId, String version, String note) {
        ListingVersion.requireRejectionNote(note);
        return existing(pluginId, version).invoke(found -> found.decide(reviewer, ReviewState.REJECTED, note));
    }

    /** Out of the Plugins tab and closed to new installations; existing installations keep their pinned version. */
    @Override
    @WithTransaction
    public Uni<PluginVersion> deprecate(String pluginId, String version, String note) {
        return existing(pluginId, version).invoke(found -> found.deprecate(note)).call(found -> announce(found, DEPRECATED_EVENT));
    }

    @Override
    @WithSession
    public Uni<List<PluginVersion>> ownedBy(String tenant) {
        return plugins.listOwnedBy(tenant);
    }

    @Override
    @WithSession
    public Uni<PluginVersion> ownedVersion(String tenant, String pluginId, String version) {
        return ownedForReading(tenant, pluginId, version);
    }

    @Override
    @WithSession
    public Uni<List<PluginVersion>> reviewQueue() {
        return plugins.listInState(ReviewState.IN_REVIEW);
    }

    /** One page of the Plugins tab and how many plugins it has in all. */
    public record Tab(List<PluginVersion> items, long total) {
    }

    /** The Plugins tab: the newest approved version of each plugin, filtered by text. */
    @WithSession
    public Uni<Tab> marketplace(String text, int page, int size) {
        return plugins.marketplace(text, page, size).flatMap(items -> plugins.countMarketplace(text).map(total -> new Tab(items, total)));
    }

    /** The marketplace's view: the newest approved version, or a version asked for that is approved or deprecated. */
    @WithSession
    public Uni<PluginVersion> published(String pluginId, String version) {
        Uni<PluginVersion> found = version == null ? plugins.newestApproved(pluginId) : plugins.findVersion(pluginId, version);
        return found.map(plugin -> {
            if (plugin == null || !(plugin.reviewState() == ReviewState.APPROVED || plugin.reviewState() == ReviewState.DEPRECATED)) {
                throw ProblemException.notFound("The marketplace has no plugin " + pluginId + (version == null ? "" : " " + version) + ".");
            }
            return plugin;
        });
    }

    /**
     * What {@code tenant} may install: an approved version (the newest when none is named). A version that is not
     * approved answers 422 with its state to its own tenant, and 404 to everyone else, who cannot see unpublished
     * work; a deprecated one is public, so its state is said to anyone. Runs in the caller's session.
     */
    public Uni<PluginVersion> installable(String tenant, String pluginId, String version) {
        Uni<PluginVersion> found = version == null ? plugins.newestApproved(pluginId) : plugins.findVersion(pluginId, version);
        return found.map(plugin -> {
            String named = "Plugin " + pluginId + (version == null ? "" : " " + version);
            if (plugin == null || (plugin.reviewState() != ReviewState.DEPRECATED && plugin.reviewState() != ReviewState.APPROVED
                    && !plugin.ownerTenant.equals(tenant))) {
                throw ProblemException.notFound("The marketplace has no approved plugin " + pluginId + (version == null ? "" : " " + version) + ".");
            }
            if (plugin.reviewState() != ReviewState.APPROVED) {
                throw new ProblemException(ProblemType.STATE_CONFLICT, named + " is " + plugin.state.replace('_', ' ')
                        + "; only approved plugin versions can be installed.");
            }
            return plugin;
        });
    }

    private Uni<PluginVersion> draft(String tenant, String author, JsonNode manifest) {
        requireValid(manifest);
        String pluginId = manifest.path("id").asText();
        String version = manifest.path("version").asText();
        return plugins.ownerOf(pluginId).flatMap(owner -> {
            if (owner != null && !owner.equals(tenant)) {
                throw ProblemException.conflict("The plugin id '" + pluginId + "' belongs to another publisher; choose another id.");
            }
            return plugins.findVersion(pluginId, version);
        }).flatMap(existing -> {
            if (existing != null) {
                throw ProblemException.conflict("Plugin " + pluginId + " " + version + " exists already; a new version needs a new number.");
            }
            return plugins.persist(PluginVersion.draft(manifest, tenant, author));
        });
    }

    /**
     * Runs the checks and records them. Without blocking findings the pinned manifest is kept and the version goes to
     * review; the policy then approves it at once when it allows (every check passed without a finding and every
     * connector it uses is approved). An inline request or command block is always a finding, so it always waits for a
     * person: it decides where a stored secret goes.
     */
    private Uni<Submission<PluginVersion>> submitDraft(PluginVersion found, String submitter) {
        found.requireState(ReviewState.DRAFT, "Only a draft can be submitted for review.");
        return checks.run(found.ownerTenant, readTree(found.manifest)).flatMap(outcome -> {
            List<ReviewFinding> blocking = outcome.blocking();
            found.submit(submitter, writeJson(outcome.findings()), !blocking.isEmpty());
            if (!blocking.isEmpty()) {
                return Uni.createFrom().item(new Submission<>(found, blocking));
            }
            found.manifest = outcome.manifest().toString();
            AutoApprove policy = config.plugins().autoApprove();
            if (policy == AutoApprove.WHEN_CHECKS_PASS && outcome.findings().isEmpty() && outcome.everyConnectorApproved()) {
                found.approveByPolicy(policy.value());
                found.publishedAt = found.decidedAt;
                return announce(found).replaceWith(new Submission<>(found, blocking));
            }
            return Uni.createFrom().item(new Submission<>(found, blocking));
        });
    }

    private Uni<Void> announce(PluginVersion plugin) {
        return announce(plugin, PUBLISHED_EVENT);
    }

    private Uni<Void> announce(PluginVersion plugin, String type) {
        ObjectNode data = mapper.createObjectNode().put("pluginId", plugin.pluginId).put("version", plugin.version)
                .put("ownerTenant", plugin.ownerTenant);
        return outbox.enqueue(EventTopics.REGISTRY_EVENTS, plugin.pluginId,
                CloudEvent.create(config.eventSource(), type, plugin.pluginId, data)).replaceWithVoid();
    }

    /**
     * An own plugin version, locked for the change the transaction makes, or 404 (another tenant's versions do not
     * exist for this caller).
     */
    private Uni<PluginVersion> owned(String tenant, String pluginId, String version) {
        return plugins.findVersionForUpdate(pluginId, version).map(found -> ownedOrNotFound(found, tenant, pluginId, version));
    }

    private static PluginVersion ownedOrNotFound(PluginVersion found, String tenant, String pluginId, String version) {
        if (found == null || !found.ownerTenant.equals(tenant)) {
            throw ProblemException.notFound("You have no plugin " + pluginId + " " + version + ".");
        }
        return found;
    }

    /** As {@link #owned}, without the lock, for reading. */
    private Uni<PluginVersion> ownedForReading(String tenant, String pluginId, String version) {
        return plugins.findVersion(pluginId, version).map(found -> ownedOrNotFound(found, tenant, pluginId, version));
    }

    /** Any tenant's version, locked for the decision the transaction records. */
    private Uni<PluginVersion> existing(String pluginId, String version) {
        return plugins.findVersionForUpdate(pluginId, version).map(found -> {
            if (found == null) {
                throw ProblemException.notFound("There is no plugin " + pluginId + " " + version + ".");
            }
            return found;
        });
    }

    private void requireValid(JsonNode manifest) {
        List<Problem.InvalidParam> problems = validator.validatePlugin(manifest).stream()
                .map(v -> new Problem.InvalidParam(v.pointer(), v.message())).toList();
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
    }

    private static ProblemException invalid(List<Problem.InvalidParam> problems) {
        return ProblemException.invalid(problems.size() == 1 ? "The plugin manifest has one problem."
                : "The plugin manifest has " + problems.size() + " problems.", problems);
    }

    private JsonNode readTree(String json) {
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
