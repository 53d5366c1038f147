package dev.polymux.vault.oauthclient;

/**
 * Which OAuth client: the platform's default of a connector ({@code tenant} empty), or one tenant's own. The two never
 * stand in for each other here.
 */
public record ClientKey(String tenant, String connectorId) {

    public boolean platform() {
        return tenant.isEmpty();
    }

    /** The audit events' subject and key: {@code oauth-client/platform/<connector>} or {@code oauth-client/tenant/<tenant>/<connector>}. */
    public String subject() {
        return platform() ? "oauth-client/platform/" + connectorId : "oauth-client/tenant/" + tenant + "/" + connectorId;
    }

    /** For messages: "the platform" or "tenant t". */
    public String owner() {
        return platform() ? "the platform" : "tenant " + tenant;
    }

    /** For messages: "the OAuth client of connector x for the platform" (or "for tenant t"). */
    public String describe() {
        return "the OAuth client of connector " + connectorId + " for " + owner();
    }

    @Override
    public String toString() {
        return subject();
    }
}
