package dev.polymux.console.review.service;

import java.util.List;

import dev.polymux.console.publish.client.ListingView;
import dev.polymux.console.publish.service.ManifestLines;

/**
 * A listing's review page: the version waiting, its manifest with each finding beside its line, and the diff against
 * the marketplace's approved version of the same id (none for a first version); a refused decision's sentence, and
 * the note as typed, to fix.
 */
public record ReviewDetail(ListingView listing, List<ManifestLines.Line> lines, String previousVersion, List<LineDiff.Line> diff,
        String problem, List<dev.polymux.console.web.ServiceProblem.FieldError> errors, String note) {

    public String path() {
        return ReviewService.BASE + "/" + listing.type() + "/" + listing.id() + "/" + listing.version();
    }

    public boolean hasPrevious() {
        return previousVersion != null;
    }

    public boolean changed() {
        return LineDiff.changed(diff);
    }

    public ReviewDetail refused(String sentence, List<dev.polymux.console.web.ServiceProblem.FieldError> problemErrors, String typed) {
        return new ReviewDetail(listing, lines, previousVersion, diff, sentence, problemErrors, typed);
    }
}
