package dev.polymux.common.security;

/** The roles a caller's token carries in its {@code groups} claim (docs/access.md). */
public final class Roles {

    /** Creates and edits connectors and plugins of their tenant, and submits them for review. */
    public static final String AUTHOR = "author";
    /** Approves or rejects submitted connectors and plugins; never their own. */
    public static final String REVIEWER = "reviewer";
    /** Installs plugins for their tenant and supplies credentials. */
    public static final String INSTALLER = "installer";
    /** Operates the platform: deprecations, key rotation. */
    public static final String ADMIN = "admin";
    /**
     * A Polymux service calling another over internal gRPC; its token's {@code sub} names the service
     * (oauth-service, dispatch-service), which each callee checks against its allow list.
     */
    public static final String SERVICE = "service";

    private Roles() {
    }
}
