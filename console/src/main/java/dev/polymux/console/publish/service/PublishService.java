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
        JsonNode manifest;
        try {
            manifest = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            return new PublishOutcome(type, text, null, "The manifest is not valid JSON" + where + ": " + e.getOriginalMessage(), List.of(), List.of());
        }
        if (manifest == null || !manifest.isObject()) {
            return new PublishOutcome(type, text, null, "The manifest is a JSON object: { ... }.", List.of(), List.of());
        }
        ListingView draft;
        try {
            draft = registry.create(session.bearer(), session.tenant(), new ListingRequest(type, manifest));
        } catch (ServiceProblem problem) {
            return new PublishOutcome(type, text, null, problem.detail(), problem.errors(),
                    ManifestLines.of(manifest, problem.errors().stream().map(e -> new dev.polymux.console.marketplace.client.Finding(null, true, e.pointer(), e.message())).toList()));
        }
        return submit ? submit(session, draft, text) : saved(draft, text, null, List.of());
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
