package dev.polymux.console.review.service;

import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.marketplace.client.RegistryMarketplaceClient;
import dev.polymux.console.publish.client.ListingView;
import dev.polymux.console.publish.service.ManifestLines;
import dev.polymux.console.review.client.Decision;
import dev.polymux.console.review.client.RegistryReviewsClient;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;

/** The review queue and decisions, as the signed-in reviewer's token allows (the registry checks the role and tenant). */
@ApplicationScoped
public class ReviewService {

    public static final String BASE = "/integrations/review";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryReviewsClient reviews;
    private final RegistryMarketplaceClient marketplace;

    public ReviewService(@RestClient RegistryReviewsClient reviews, @RestClient RegistryMarketplaceClient marketplace) {
        this.reviews = reviews;
        this.marketplace = marketplace;
    }

    public List<ListingView> queue(ConsoleSession session, String type) {
        return reviews.queue(session.bearer(), type);
    }

    /** A version waiting in the queue (the registry has no single-item GET under /reviews), with its diff. */
    public ReviewDetail detail(ConsoleSession session, String type, String id, String version) {
        ListingView listing = reviews.queue(session.bearer(), type).stream()
                .filter(l -> l.id().equals(id) && l.version().equals(version)).findFirst()
                .orElseThrow(() -> new ServiceProblem(404, "This version is not waiting for review (any more): someone may have decided on it.",
                        List.of()));
        String previousVersion = null;
        List<LineDiff.Line> diff = null;
        JsonNode previous = null;
        try {
            if ("plugin".equals(type)) {
                var approved = marketplace.plugin(session.bearer(), id, null);
                previousVersion = approved.version();
                previous = approved.manifest();
            } else {
                var approved = marketplace.connector(session.bearer(), id, null);
                previousVersion = approved.version();
                previous = approved.manifest();
            }
        } catch (ServiceProblem notThere) {
            if (notThere.status() != 404) {
                throw notThere;
            }
        }
        if (previous != null && listing.manifest() != null) {
            diff = LineDiff.of(lines(previous), lines(listing.manifest()));
        }
        return new ReviewDetail(listing, ManifestLines.of(listing.manifest(), listing.findings()), previousVersion, diff, null, List.of(), null);
    }

    public ListingView approve(ConsoleSession session, ListingView listing, String note) {
        return reviews.approve(session.bearer(), listing.type(), listing.id(), listing.version(), new Decision(note));
    }

    public ListingView reject(ConsoleSession session, ListingView listing, String note) {
        return reviews.reject(session.bearer(), listing.type(), listing.id(), listing.version(), new Decision(note));
    }

    /** Pretty-printed as ManifestLines prints it, so the diff's lines are the ones the manifest panel shows. */
    static List<String> lines(JsonNode manifest) {
        try {
            return Arrays.asList(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest).split("\n", -1));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A parsed manifest does not print back", e);
        }
    }
}
