package dev.polymux.oauth.setup.service;

import static dev.polymux.common.grpc.CallersContext.backOnCallersContext;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockTimeoutException;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.schema.ToolInputSchemas;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.ConnectorRegistry;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.SetupStep;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.installation.KnownInstallation;
import dev.polymux.oauth.installation.repository.KnownInstallationRepository;
import dev.polymux.oauth.setup.SetupStepResult;
import dev.polymux.oauth.setup.client.VaultValues;
import dev.polymux.oauth.setup.repository.SetupStepResultRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

/**
 * Runs the setup steps of integration installations (a connector's custom setup UI, as data). A step asks for fields
 * (its handler's JSON Schema; a step that declares none asks for the connection's shape), and its check runs with every
 * stored field plus the submitted ones. Only values whose check passed are stored in vault-service, on behalf of the
 * installer; when every required step has passed, "setup completed" is announced and the registry makes the
 * installation active (an integration's stored values alone never do). What a step created at the provider is recorded
 * and undone when the step runs again or the installation is uninstalled.
 */
@ApplicationScoped
public class IntegrationSetup {

    private static final Logger LOG = Logger.getLogger(IntegrationSetup.class);
    private static final TypeReference<Map<String, String>> CREATED = new TypeReference<>() {
    };
    private static final int MIN_REDACTED_LENGTH = 4;

    /** A step as the installer's form shows it: what it asks for and how its last check went (state pending, passed or failed). */
    public record StepView(String id, String title, String description, boolean required, JsonNode fields, String state, String message,
            Instant checkedAt, String checkedBy) {
    }

    public record SetupView(String installationId, String connectorId, boolean complete, List<StepView> steps) {
    }

    /** A step's check: passed or not, the sentence to show, and whether setup is complete now. */
    public record CheckView(String step, boolean passed, String message, boolean setupComplete) {
    }

    private final KnownInstallationRepository installations;
    private final SetupStepResultRepository results;
    private final ConnectorRegistry handlers;
    private final VaultValues vault;
    private final OutboxService outbox;
    private final ObjectMapper mapper;
    private final OAuthConfig config;
    /** How long a step's check or undo may take; a handler that never answers must not hold the request. */
    private final Duration checkTimeout;

    public IntegrationSetup(KnownInstallationRepository installations, SetupStepResultRepository results, ConnectorRegistry handlers,
            VaultValues vault, OutboxService outbox, ObjectMapper mapper, OAuthConfig config,
            @ConfigProperty(name = "polymux.setup.check-timeout", defaultValue = "30s") Duration checkTimeout) {
        this.installations = installations;
        this.results = results;
        this.handlers = handlers;
        this.vault = vault;
        this.outbox = outbox;
        this.mapper = mapper;
        this.config = config;
        this.checkTimeout = checkTimeout;
    }

    public Uni<SetupView> describe(String tenant, String installationId) {
        return Panache.withSession(() -> integration(tenant, installationId)
                .flatMap(installation -> results.ofInstallation(installationId).map(done -> view(installation, done))));
    }

    /**
     * Checks a step with the submitted fields over the stored ones; stores them only when the check passed, then removes
     * what the step's previous run created, and announces setup completed when this was the last required step to pass.
     * One submission per installation at a time: a second one meanwhile is a 409.
     */
    public Uni<CheckView> submit(String tenant, String installationId, String stepId, JsonNode fields, String by) {
        return Panache.withTransaction(() -> lockForSetup(installationId).flatMap(locked -> integration(tenant, installationId))
                .flatMap(installation -> {
                    JsonNode manifest = parse(installation.manifest);
                    SetupStep step = steps(manifest).stream().filter(s -> s.id().equals(stepId)).findFirst()
                            .orElseThrow(() -> ProblemException.notFound("Connector " + installation.connectorId + " has no setup step '"
                                    + stepId + "'; its steps are " + steps(manifest).stream().map(SetupStep::id).toList() + "."));
                    Map<String, String> submitted = submittedFields(step, manifest, fields);
                    return results.ofInstallation(installationId).flatMap(done -> vault.read(tenant, installationId,
                            "setup step " + installation.connectorId + "." + stepId + " by " + by)
                            .flatMap(stored -> {
                                Map<String, Secret> merged = new LinkedHashMap<>(stored);
                                submitted.forEach((name, value) -> {
                                    if (value.isEmpty()) {
                                        merged.remove(name);
                                    } else {
                                        merged.put(name, Secret.of(value));
                                    }
                                });
                                requirePresent(step, manifest, merged);
                                Optional<SetupStepResult> previous = done.stream().filter(r -> r.stepId.equals(stepId)).findFirst();
                                return check(step, installationId, merged).flatMap(result -> result.passed()
                                        ? passed(installation, manifest, step, result, merged, stored, previous, done, by)
                                        : record(installation, manifest, step, result, merged, done, by));
                            }));
                }));
    }

    /**
     * A passed check: its values are stored, then what the step's previous run created goes (not before: a check that
     * fails keeps the working webhook), then the result is recorded. Whatever fails on the way takes back what this
     * check created, so nothing is left at the provider that no result records.
     */
    private Uni<CheckView> passed(KnownInstallation installation, JsonNode manifest, SetupStep step, SetupStep.CheckResult result,
            Map<String, Secret> merged, Map<String, Secret> stored, Optional<SetupStepResult> previous, List<SetupStepResult> done, String by) {
        boolean complete = complete(manifest, step, result, done);
        // After the last required step every required field must be there.
        return vault.write(installation.tenant, installation.id, merged, by, complete)
                .onFailure().call(failure -> undoCreated(step, installation.id, result.created(), merged, "its values could not be stored"))
                // The previous run's resources were made with the values stored then.
                .flatMap(ignored -> undoPrevious(step, previous, stored)
                        .onFailure().call(failure -> undoCreated(step, installation.id, result.created(), merged,
                                "what its previous run created could not be removed")))
                .flatMap(ignored -> record(installation, manifest, step, result, merged, done, by)
                        .onFailure().call(failure -> undoCreated(step, installation.id, result.created(), merged,
                                "its result could not be recorded")));
    }

    /**
     * The installation was uninstalled: what its steps created at the provider is removed (with the values still
     * stored), then its values are deleted and "setup removed" is announced. Runs inside the caller's transaction, after a
     * submission in progress has ended (so it undoes what that one created, too).
     */
    public Uni<Void> removed(KnownInstallation installation) {
        JsonNode manifest = parse(installation.manifest);
        return Panache.getSession().flatMap(session -> session.createNativeQuery("select id from known_installation where id = ?1 for update",
                String.class).setParameter(1, installation.id).getSingleResultOrNull())
                .flatMap(locked -> results.ofInstallation(installation.id)).flatMap(done -> {
            List<SetupStepResult> toUndo = done.stream().filter(r -> r.undoneAt == null && !created(r).isEmpty()).toList();
            Uni<Map<String, Secret>> values = toUndo.isEmpty() ? Uni.createFrom().item(Map.of())
                    : vault.readUninstalled(installation.tenant, installation.id, "undo setup of uninstalled " + installation.connectorId)
                            .onFailure().recoverWithItem(Map.of());
            return values.flatMap(stored -> {
                Uni<Void> chain = Uni.createFrom().voidItem();
                for (SetupStepResult result : toUndo) {
                    Optional<SetupStep> step = steps(manifest).stream().filter(s -> s.id().equals(result.stepId)).findFirst();
                    if (step.isEmpty()) {
                        continue;
                    }
                    chain = chain.flatMap(ignored -> undo(step.get(), result, stored).onFailure().recoverWithItem(failure -> {
                        LOG.warnf("Installation %s: undoing setup step %s did not answer (%s); what it created may remain at the provider",
                                result.installationId, result.stepId, failure.getClass().getSimpleName());
                        return null;
                    }));
                }
                return chain;
            }).flatMap(ignored -> vault.deleteAll(installation.tenant, installation.id).onFailure().recoverWithUni(failure -> {
                // vault-service deletes them itself on the same uninstall event; this is the second, idempotent delete.
                LOG.warnf("Installation %s: the values could not be deleted after setup was undone (%s)", installation.id,
                        failure.getClass().getSimpleName());
                return Uni.createFrom().voidItem();
            })).flatMap(ignored -> announce(ConnectionEventTypes.SETUP_REMOVED, installation, List.of()));
        });
    }

    private Uni<Void> undoPrevious(SetupStep step, Optional<SetupStepResult> previous, Map<String, Secret> stored) {
        if (previous.isEmpty() || previous.get().undoneAt != null || created(previous.get()).isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Running a step again must not leave a second webhook (or service account) behind: the first one goes. One that
        // does not answer fails the submission (its result stays as it was, so it is undone on a later run or uninstall).
        return undo(step, previous.get(), stored).onFailure(TimeoutException.class).transform(failure -> unanswered(step,
                previous.get().installationId, "while removing what its previous run created"));
    }

    /** Undoes what a step created; a handler that fails is logged and carried on with, one that does not answer fails. */
    private Uni<Void> undo(SetupStep step, SetupStepResult result, Map<String, Secret> stored) {
        return bounded(() -> step.undo(created(result), stored))
                .invoke(() -> result.undoneAt = now())
                .onFailure(failure -> !(failure instanceof TimeoutException)).recoverWithItem(failure -> {
                    LOG.warnf("Installation %s: undoing setup step %s failed (%s); what it created may remain at the provider",
                            result.installationId, result.stepId, failure.getClass().getSimpleName());
                    return null;
                });
    }

    /** Best effort: takes back what a check just created when its result cannot be kept. Logged, never with values. */
    private Uni<Void> undoCreated(SetupStep step, String installationId, Map<String, String> created, Map<String, Secret> values,
            String why) {
        if (created.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        LOG.infof("Installation %s: setup step %s passed but %s; undoing what it created", installationId, step.id(), why);
        return bounded(() -> step.undo(Map.copyOf(created), Map.copyOf(values))).onFailure().recoverWithItem(failure -> {
            LOG.warnf("Installation %s: undoing what setup step %s just created failed (%s); it may remain at the provider", installationId,
                    step.id(), failure.getClass().getSimpleName());
            return null;
        });
    }

    private Uni<SetupStep.CheckResult> check(SetupStep step, String installationId, Map<String, Secret> values) {
        Map<String, Secret> checked = Map.copyOf(values);
        // Memoized, so the timeout does not cancel the handler's call: an answer that comes late is still heard.
        Uni<SetupStep.CheckResult> answer = Uni.createFrom().deferred(() -> step.check(checked)).memoize().indefinitely();
        // A handler's own failure is a sentence (its class, never its message: that may carry a value); silence is a 503.
        return bounded(() -> answer)
                .onFailure(failure -> !(failure instanceof TimeoutException)).recoverWithItem(failure -> SetupStep.CheckResult.failed(
                        "The check could not finish (" + failure.getClass().getSimpleName() + "); try again."))
                .onFailure(TimeoutException.class).invoke(() -> undoWhenItAnswers(step, installationId, answer, checked))
                .onFailure(TimeoutException.class).transform(failure -> unanswered(step, installationId, ""));
    }

    /**
     * The installer was told a check that did not answer in time recorded nothing; a slow provider may still have made
     * its webhook. Whatever a late answer says it created is taken back when it arrives (waited for up to ten timeouts).
     */
    private void undoWhenItAnswers(SetupStep step, String installationId, Uni<SetupStep.CheckResult> answer, Map<String, Secret> values) {
        answer.ifNoItem().after(checkTimeout.multipliedBy(10)).fail().subscribe().with(late -> {
            if (late == null || late.created().isEmpty()) {
                return;
            }
            LOG.infof("Installation %s: setup step %s answered after its timeout; undoing what it created", installationId, step.id());
            Uni.createFrom().deferred(() -> step.undo(Map.copyOf(late.created()), values)).ifNoItem().after(checkTimeout).fail().subscribe()
                    .with(done -> { }, failure -> LOG.warnf("Installation %s: undoing what the late setup step %s created failed (%s); it may "
                            + "remain at the provider", installationId, step.id(), failure.getClass().getSimpleName()));
        }, failure -> LOG.warnf("Installation %s: setup step %s never answered (%s); what it may have created is unknown", installationId,
                step.id(), failure.getClass().getSimpleName()));
    }

    /**
     * A handler's answer, bounded, on this request's context: a handler may answer on a thread of its own, and so does the
     * timer, and the session must go on where it lives. The timeout is inside for that reason.
     */
    private <T> Uni<T> bounded(Supplier<Uni<? extends T>> call) {
        return backOnCallersContext(Uni.createFrom().<T>deferred(call).ifNoItem().after(checkTimeout).fail());
    }

    private ProblemException unanswered(SetupStep step, String installationId, String during) {
        LOG.warnf("Installation %s: setup step %s did not answer within %s %s; nothing recorded", installationId, step.id(), checkTimeout, during);
        return new ProblemException(ProblemType.UNAVAILABLE, "Setup step " + step.id() + " did not answer within " + checkTimeout.toSeconds()
                + " s" + (during.isEmpty() ? "" : " " + during) + "; its result was not recorded. Try again later.");
    }

    /**
     * Locks the installation's row until this submission's transaction ends, so two submissions (or a submission and the
     * uninstall) never interleave; a second submission meanwhile is told so instead of waiting.
     */
    private Uni<Void> lockForSetup(String installationId) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("select id from known_installation where id = ?1 for update nowait",
                String.class).setParameter(1, installationId).getSingleResultOrNull())
                .onFailure(IntegrationSetup::lockNotAvailable).transform(failure -> ProblemException.conflict("A setup step of installation "
                        + installationId + " is being checked right now; try again once it has answered."))
                .replaceWithVoid();
    }

    private static boolean lockNotAvailable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // Hibernate Reactive reports NOWAIT's lock_not_available as a LockTimeoutException.
            if (cause instanceof LockTimeoutException || cause instanceof PgException pg && "55P03".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private Uni<CheckView> record(KnownInstallation installation, JsonNode manifest, SetupStep step, SetupStep.CheckResult result,
            Map<String, Secret> merged, List<SetupStepResult> done, String by) {
        String message = redacted(result.message(), merged, secretFields(manifest));
        boolean complete = complete(manifest, step, result, done);
        // Only values whose check passed are kept (stored before this, by passed()).
        return Panache.withTransaction(() -> results.findById(new SetupStepResult.Key(installation.id, step.id()))
                .flatMap(existing -> {
                    SetupStepResult row = existing == null ? new SetupStepResult() : existing;
                    row.installationId = installation.id;
                    row.stepId = step.id();
                    row.passed = result.passed();
                    row.message = message;
                    // A failed check leaves what the previous run created in place: it stays recorded, for the uninstall.
                    if (result.passed() || existing == null) {
                        row.createdJson = json(result.created());
                        row.undoneAt = null;
                    }
                    row.checkedBy = by;
                    row.checkedAt = now();
                    return results.persist(row);
                })
                // Also when it was complete before: new values that passed again make a broken installation active.
                .call(() -> complete ? announce(ConnectionEventTypes.SETUP_COMPLETED, installation,
                        steps(manifest).stream().map(SetupStep::id).toList()) : Uni.createFrom().voidItem()))
                .map(row -> new CheckView(step.id(), result.passed(), message, complete));
    }

    /** Whether this result makes every required step passed. */
    private boolean complete(JsonNode manifest, SetupStep step, SetupStep.CheckResult result, List<SetupStepResult> done) {
        List<String> passedBefore = done.stream().filter(r -> r.passed && !r.stepId.equals(step.id())).map(r -> r.stepId).toList();
        return result.passed() && steps(manifest).stream().filter(SetupStep::required)
                .allMatch(s -> s.id().equals(step.id()) || passedBefore.contains(s.id()));
    }

    private Uni<Void> announce(String type, KnownInstallation installation, List<String> steps) {
        ObjectNode data = mapper.createObjectNode().put("tenantId", installation.tenant).put("installationId", installation.id)
                .put("connectorId", installation.connectorId);
        if (!steps.isEmpty()) {
            ArrayNode ids = data.putArray("steps");
            steps.forEach(ids::add);
        }
        return outbox.enqueue(EventTopics.CONNECTION_EVENTS, installation.id, CloudEvent.create(config.eventSource(), type, installation.id, data))
                .replaceWithVoid();
    }

    /** The submitted fields, checked against the step's schema: text values only, each a field of the shape this step asks for. */
    private Map<String, String> submittedFields(SetupStep step, JsonNode manifest, JsonNode fields) {
        JsonNode values = fields == null || fields.isNull() ? mapper.createObjectNode() : fields;
        List<Problem.InvalidParam> problems = new ArrayList<>();
        if (!values.isObject()) {
            throw ProblemException.invalid("fields must be an object of field names to values.", List.of(new Problem.InvalidParam("/fields",
                    "must be an object")));
        }
        // What is required may be stored already (an earlier step asked for it): checked on the merged values below.
        ObjectNode withoutRequired = fieldSchema(step, manifest).deepCopy();
        withoutRequired.remove("required");
        for (ValidationMessage message : ToolInputSchemas.compile(withoutRequired).validate(values)) {
            String pointer = message.getInstanceLocation().toString();
            // The rule and the field, never the value: it may be a secret.
            problems.add(new Problem.InvalidParam("/fields" + pointer, message.getType()
                    + (message.getProperty() == null ? "" : " (" + message.getProperty() + ")")));
        }
        Map<String, String> submitted = new LinkedHashMap<>();
        List<String> shapeFields = shapeFields(manifest);
        // A step stores only what it asks for (and checked): another step's field waits for that step's check.
        List<String> ownFields = new ArrayList<>();
        fieldSchema(step, manifest).path("properties").fieldNames().forEachRemaining(ownFields::add);
        values.properties().forEach(field -> {
            if (!shapeFields.contains(field.getKey())) {
                problems.add(new Problem.InvalidParam("/fields/" + field.getKey(), "is not a field of this connection; expected " + shapeFields));
            } else if (!ownFields.contains(field.getKey())) {
                problems.add(new Problem.InvalidParam("/fields/" + field.getKey(), "is not asked for by setup step " + step.id() + "; it asks for "
                        + ownFields));
            } else if (!field.getValue().isValueNode() || field.getValue().isNull()) {
                problems.add(new Problem.InvalidParam("/fields/" + field.getKey(), "must be a string"));
            } else {
                submitted.put(field.getKey(), field.getValue().asText());
            }
        });
        if (!problems.isEmpty()) {
            throw ProblemException.invalid("The fields do not fit setup step " + step.id() + ".", problems);
        }
        return submitted;
    }

    /** The step's required fields are there, submitted now or stored before. */
    private void requirePresent(SetupStep step, JsonNode manifest, Map<String, Secret> merged) {
        List<Problem.InvalidParam> missing = new ArrayList<>();
        for (JsonNode name : fieldSchema(step, manifest).path("required")) {
            if (!merged.containsKey(name.asText())) {
                missing.add(new Problem.InvalidParam("/fields/" + name.asText(), "is required"));
            }
        }
        if (!missing.isEmpty()) {
            throw ProblemException.invalid("Setup step " + step.id() + " needs fields that are neither submitted nor stored.", missing);
        }
    }

    private SetupView view(KnownInstallation installation, List<SetupStepResult> done) {
        JsonNode manifest = parse(installation.manifest);
        List<StepView> steps = new ArrayList<>();
        boolean complete = true;
        for (SetupStep step : steps(manifest)) {
            SetupStepResult result = done.stream().filter(r -> r.stepId.equals(step.id())).findFirst().orElse(null);
            if (step.required() && (result == null || !result.passed)) {
                complete = false;
            }
            JsonNode declared = declared(manifest, step.id());
            steps.add(new StepView(step.id(), declared.path("title").asText(step.title()), declared.path("description").asText(null),
                    step.required(), fieldSchema(step, manifest), result == null ? "pending" : result.passed ? "passed" : "failed",
                    result == null ? null : result.message, result == null ? null : result.checkedAt, result == null ? null : result.checkedBy));
        }
        return new SetupView(installation.id, installation.connectorId, complete, steps);
    }

    /**
     * What a step asks for: its handler's schema when it names fields, else the connection's shape as a form (one string
     * property per field, with its label as title, secret fields writeOnly, required ones required).
     */
    private JsonNode fieldSchema(SetupStep step, JsonNode manifest) {
        JsonNode own = step.fieldSchema();
        if (own != null && own.path("properties").size() > 0) {
            return own;
        }
        ObjectNode schema = mapper.createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = mapper.createArrayNode();
        for (JsonNode field : manifest.path("auth").path("shape").path("fields")) {
            ObjectNode property = properties.putObject(field.path("name").asText()).put("type", "string")
                    .put("title", field.path("label").asText());
            if (field.path("secret").asBoolean(false)) {
                property.put("writeOnly", true);
            }
            if (field.hasNonNull("maxLength")) {
                property.put("maxLength", field.get("maxLength").asInt());
            }
            if (field.path("required").asBoolean(true)) {
                required.add(field.path("name").asText());
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        return schema;
    }

    private static List<String> shapeFields(JsonNode manifest) {
        return List.copyOf(ManifestValidator.storedFields(manifest.path("auth").path("shape")));
    }

    private static JsonNode declared(JsonNode manifest, String stepId) {
        for (JsonNode step : manifest.path("auth").path("setupSteps")) {
            if (stepId.equals(step.path("id").asText())) {
                return step;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** The handler's steps, in order; a connector without a handler here has none. */
    private List<SetupStep> steps(JsonNode manifest) {
        String handlerId = manifest.path("handler").asText("");
        return handlers.find(handlerId).map(ConnectorHandler::setupSteps).orElse(List.of());
    }

    /** The tenant's integration installation, or a problem (404 for another tenant's, as for none). */
    private Uni<KnownInstallation> integration(String tenant, String installationId) {
        return installations.findById(installationId).map(installation -> {
            if (installation == null || !installation.tenant.equals(tenant)) {
                throw ProblemException.notFound("There is no integration installation " + installationId + " here. If it was created a moment "
                        + "ago, retry shortly: oauth-service learns of installations from the registry's events.");
            }
            if (!KnownInstallation.INTEGRATION.equals(installation.kind)) {
                throw ProblemException.conflict("Installation " + installationId + " is an OAuth connection: it is connected by authorizing it, "
                        + "not by setup steps.");
            }
            if (installation.removed()) {
                throw ProblemException.conflict("Installation " + installationId + " was uninstalled.");
            }
            return installation;
        });
    }

    /** A handler's sentence never repeats a secret field (a careless "could not log in with <password>"). */
    private static String redacted(String message, Map<String, Secret> values, List<String> secretFields) {
        String text = message == null || message.isBlank() ? "The check gave no reason." : message;
        for (String field : secretFields) {
            String revealed = values.containsKey(field) ? values.get(field).reveal() : "";
            if (revealed.length() >= MIN_REDACTED_LENGTH) {
                text = text.replace(revealed, "[redacted]");
            }
        }
        return text;
    }

    /** The shape's secret fields: a single one unless marked otherwise, a pair's password, a tuple's marked ones. */
    private static List<String> secretFields(JsonNode manifest) {
        JsonNode shape = manifest.path("auth").path("shape");
        List<String> names = new ArrayList<>();
        switch (shape.path("kind").asText()) {
            case "single" -> {
                if (shape.path("secret").asBoolean(true)) {
                    names.add(shape.path("field").asText("value"));
                }
            }
            case "pair" -> names.add("password");
            default -> shape.path("fields").forEach(field -> {
                if (field.path("secret").asBoolean(false)) {
                    names.add(field.path("name").asText());
                }
            });
        }
        return names;
    }

    private Map<String, String> created(SetupStepResult result) {
        try {
            return mapper.readValue(result.createdJson, CREATED);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private String json(Map<String, String> created) {
        try {
            return mapper.writeValueAsString(created);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Created identifiers do not serialize", e);
        }
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored connector manifest is not JSON", e);
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
