package dev.polymux.registry.listing;

/**
 * Where a listing version (a connection or a plugin) is in its life: draft → in_review → approved | rejected;
 * approved → deprecated. Only drafts change; only versions in review are decided; only approved ones are deprecated.
 */
public enum ReviewState {
    DRAFT, IN_REVIEW, APPROVED, REJECTED, DEPRECATED;

    public String value() {
        return name().toLowerCase();
    }

    public static ReviewState of(String value) {
        return valueOf(value.toUpperCase());
    }
}
