package dev.polymux.console.publish.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.publish.client.ListingRequest;
import dev.polymux.console.publish.client.ListingView;
import dev.polymux.console.publish.client.RegistryListingsClient;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;

/** Drafts and submissions of the signed-in author's tenant (never another's: the tenant is the session's). */
@ApplicationScoped
public class PublishService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryListingsClient registry;

    public PublishService(@RestClient RegistryListingsClient registry) {
        this.registry = registry;
    }

    public List<ListingView> mine(ConsoleSession session) {
        return registry.list(session.bearer(), session.tenant());
    }

    public ListingView listing(ConsoleSession session, String type, String id, String version) {
        return registry.get(session.bearer(), session.tenant(), type, id, version);
    }

    /** Saves the pasted manifest as a draft and, when asked, submits it; every refusal comes back as a sentence. */
    public PublishOutcome publish(ConsoleSession session, String type, String text, boolean submit) {
        Parsed parsed = parse(text);
        if (parsed.problem() != null) {
            return new PublishOutcome(type, text, null, parsed.problem(), List.of(), List.of());
        }
        ListingView draft;
        try {
            draft = registry.create(session.bearer(), session.tenant(), new ListingRequest(type, parsed.manifest()));
        } catch (ServiceProblem problem) {
            return new PublishOutcome(type, text, null, problem.detail(), problem.errors(), linesOf(parsed.manifest(), problem));
        }
        return submit ? submit(session, draft, text) : saved(draft, text, null, List.of());
    }

    /**
     * Replaces a draft's manifest with the edited text and, when asked, submits it. A refusal keeps the draft as the
     * registry has it, with the edited text to fix and the sentence.
     */
    public PublishOutcome update(ConsoleSession session, ListingView draft, String text, boolean submit) {
        Parsed parsed = parse(text);
        if (parsed.problem() != null) {
            return new PublishOutcome(draft.type(), text, draft, parsed.problem(), List.of(), ManifestLines.of(draft.manifest(), draft.findings()));
        }
        ListingView updated;
        try {
            updated = registry.update(session.bearer(), session.tenant(), draft.type(), draft.id(), draft.version(),
                    new ListingRequest(draft.type(), parsed.manifest()));
        } catch (ServiceProblem problem) {
            return new PublishOutcome(draft.type(), text, draft, problem.detail(), problem.errors(), linesOf(parsed.manifest(), problem));
        }
        return submit ? submit(session, updated, text) : saved(updated, text, null, List.of());
    }

    /** A stored listing's manifest as the text to edit: pretty-printed. */
    public static String editable(ListingView listing) {
        try {
            return listing.manifest() == null ? "" : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(listing.manifest());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Parsed(JsonNode manifest, String problem) {
    }

    private static Parsed parse(String text) {
        JsonNode manifest;
        try {
            manifest = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            return new Parsed(null, "The manifest is not valid JSON" + where + ": " + e.getOriginalMessage());
        }
        if (manifest == null || !manifest.isObject()) {
            return new Parsed(null, "The manifest is a JSON object: { ... }.");
        }
        return new Parsed(manifest, null);
    }

    /** The manifest's lines with each of a refusal's errors beside the line its pointer names. */
    private static List<ManifestLines.Line> linesOf(JsonNode manifest, ServiceProblem problem) {
        return ManifestLines.of(manifest,
                problem.errors().stream().map(e -> new dev.polymux.console.marketplace.client.Finding(null, true, e.pointer(), e.message())).toList());
    }

    /** Submits a draft; blocking findings come back as a 422 and are stored with the draft, so it is read back. */
    public PublishOutcome submit(ConsoleSession session, ListingView draft, String text) {
        try {
            ListingView submitted = registry.submit(session.bearer(), session.tenant(), draft.type(), draft.id(), draft.version());
            return saved(submitted, text, null, List.of());
        } catch (ServiceProblem problem) {
            ListingView stored = problem.status() == 422 ? listing(session, draft.type(), draft.id(), draft.version()) : draft;
            return saved(stored, text, problem.detail(), problem.errors());
        }
    }

    private static PublishOutcome saved(ListingView listing, String text, String problem, List<ServiceProblem.FieldError> errors) {
        return new PublishOutcome(listing.type(), text, listing, problem, errors, ManifestLines.of(listing.manifest(), listing.findings()));
    }
}
