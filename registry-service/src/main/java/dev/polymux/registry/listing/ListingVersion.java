package dev.polymux.registry.listing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.registry.marketplace.PublishedVersion;

/**
 * A version of a listing with its review record, and the one review state machine connections and plugins share:
 * only drafts change, a submission without blocking findings goes to review, nobody decides on a version they
 * created, edited or submitted, a rejection says why, only approved versions are deprecated.
 */
@MappedSuperclass
public abstract class ListingVersion extends PublishedVersion {

    /** Who decided when no person did (the operator's auto-approval policy for plugins). */
    public static final String POLICY_PREFIX = "policy:";

    @Column(nullable = false)
    public String state;

    /** The automated checks' findings, as a JSON array. */
    @Column(name = "review_findings")
    public String reviewFindings;

    @Column(name = "review_note")
    public String reviewNote;

    /** The reviewer's subject, or {@code policy:<name>} when the operator's policy approved it. */
    public String reviewer;

    /**
     * Subjects of everyone who created, edited or submitted this version, in that order; none of them may decide on
     * it, so an author who also reviews cannot take over a colleague's draft and approve it.
     */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false)
    public List<String> contributors = List.of();

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "submitted_at")
    public Instant submittedAt;

    @Column(name = "decided_at")
    public Instant decidedAt;

    public abstract ListingType listingType();

    /** The connector or plugin id. */
    public abstract String listingId();

    /** "connector acme-crm 1.0.0", for sentences. */
    public String describe() {
        return listingType().noun() + " " + listingId() + " " + version;
    }

    public ReviewState reviewState() {
        return ReviewState.of(state);
    }

    /** Starts the review record of a new draft. */
    protected void startDraft(String ownerTenant, String author) {
        this.ownerTenant = ownerTenant;
        this.author = author;
        this.state = ReviewState.DRAFT.value();
        this.createdAt = Instant.now();
        this.updatedAt = createdAt;
        recordContributor(author);
    }

    /** An edit of a draft by {@code editor}; the caller then applies the new manifest. */
    public void edit(String editor) {
        requireState(ReviewState.DRAFT, "Only drafts change; a submitted version is immutable, so publish a new version.");
        recordContributor(editor);
        updatedAt = Instant.now();
    }

    /**
     * Records a submission's findings (JSON) and, without blocking ones, moves the draft to review. The submitter is
     * recorded even when blocking findings keep it a draft: whoever submits vouches for the content.
     */
    public void submit(String submitter, String findingsJson, boolean blocked) {
        requireState(ReviewState.DRAFT, "Only a draft can be submitted for review.");
        recordContributor(submitter);
        reviewFindings = findingsJson;
        updatedAt = Instant.now();
        if (!blocked) {
            state = ReviewState.IN_REVIEW.value();
            submittedAt = updatedAt;
        }
    }

    /** Whether {@code decider} may decide on this version now: it is in review, and they never touched it. */
    public void requireMayDecide(String decider) {
        requireState(ReviewState.IN_REVIEW, "Only a version in review can be approved or rejected.");
        if (author.equals(decider)) {
            throw ProblemException.forbidden("You cannot review a " + listingType().noun() + " you authored; another reviewer must.");
        }
        if (touchedBy(decider)) {
            throw ProblemException.forbidden("You cannot review a " + listingType().noun() + " version you edited or submitted; another reviewer must.");
        }
    }

    /** A person's decision on a version in review: never by anyone who touched it. */
    public void decide(String decider, ReviewState decision, String note) {
        requireMayDecide(decider);
        if (decision == ReviewState.REJECTED) {
            requireRejectionNote(note);
        }
        if (decision != ReviewState.APPROVED && decision != ReviewState.REJECTED) {
            throw new IllegalArgumentException("A review decides approved or rejected, not " + decision);
        }
        close(decision, decider, note);
    }

    /** The operator's policy approves a version in review that no person needs to look at. */
    public void approveByPolicy(String policy) {
        requireState(ReviewState.IN_REVIEW, "Only a version in review can be approved.");
        close(ReviewState.APPROVED, POLICY_PREFIX + policy, "Approved by the operator's policy '" + policy + "': every check passed.");
    }

    /** Takes an approved version out of the marketplace; what pinned it keeps reading it. */
    public void deprecate(String note) {
        requireState(ReviewState.APPROVED, "Only an approved version can be deprecated.");
        state = ReviewState.DEPRECATED.value();
        reviewNote = note;
        updatedAt = Instant.now();
    }

    public boolean decidedByPolicy() {
        return reviewer != null && reviewer.startsWith(POLICY_PREFIX);
    }

    /** Notes that {@code subject} touched this version. A new list each time, so the change is seen as one. */
    public void recordContributor(String subject) {
        if (!contributors.contains(subject)) {
            List<String> updated = new ArrayList<>(contributors);
            updated.add(subject);
            contributors = List.copyOf(updated);
        }
    }

    /** Whether {@code subject} created, edited or submitted this version. */
    public boolean touchedBy(String subject) {
        return author.equals(subject) || contributors.contains(subject);
    }

    /** A rejection tells the author what to change; without a note it is refused (400). */
    public static void requireRejectionNote(String note) {
        if (note == null || note.isBlank()) {
            throw ProblemException.invalid("A rejection needs a note telling the author what to change.",
                    List.of(new Problem.InvalidParam("/note", "must not be blank")));
        }
    }

    /** 422 with {@code sentence} unless the version is in {@code expected}. */
    public void requireState(ReviewState expected, String sentence) {
        if (reviewState() != expected) {
            throw new ProblemException(ProblemType.STATE_CONFLICT, sentence + " This version is " + state + ".");
        }
    }

    private void close(ReviewState decision, String decider, String note) {
        state = decision.value();
        reviewer = decider;
        reviewNote = note;
        decidedAt = Instant.now();
        updatedAt = decidedAt;
    }
}
