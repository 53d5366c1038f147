package dev.polymux.registry.connector;

/** Where a connector version is in its life. Only drafts change; approved ones can be deprecated. */
public enum ReviewState {
    DRAFT, IN_REVIEW, APPROVED, REJECTED, DEPRECATED;

    public String value() {
        return name().toLowerCase();
    }

    public static ReviewState of(String value) {
        return valueOf(value.toUpperCase());
    }
}
