package dev.polymux.console.publish.service;

import java.util.List;

import dev.polymux.console.publish.client.ListingView;
import dev.polymux.console.web.ServiceProblem;

/**
 * What the Publish form shows after a save or a submit: the listing as the registry now has it (if it was created),
 * or the problem's sentence and its errors by pointer; the text as pasted, to fix it.
 */
public record PublishOutcome(String type, String manifest, ListingView listing, String problem, List<ServiceProblem.FieldError> errors,
        List<ManifestLines.Line> lines) {

    public static PublishOutcome empty(String type) {
        return new PublishOutcome(type, "", null, null, List.of(), List.of());
    }

    public boolean plugin() {
        return "plugin".equals(type);
    }
}
