package dev.polymux.common.event;

/**
 * Event types on polymux.connection-events.v1 (key and subject: the installation id). The registry publishes the
 * installation's life; vault-service and oauth-service publish what happens to its credentials, which the registry
 * turns into the installation's status.
 */
public final class ConnectionEventTypes {

    /** registry: a plugin was installed; one event per connection key. */
    public static final String INSTALLATION_CREATED = "dev.polymux.installation.created.v1";
    /** registry: uninstalled; other services delete the installation's secrets and grants. */
    public static final String INSTALLATION_REMOVED = "dev.polymux.installation.removed.v1";
    /** vault: the installer's credentials are stored (a vault installation becomes active). */
    public static final String CREDENTIALS_STORED = "dev.polymux.credentials.stored.v1";
    /** vault: the credentials were deleted (the installation waits for new ones). */
    public static final String CREDENTIALS_DELETED = "dev.polymux.credentials.deleted.v1";
    /**
     * dispatch: the provider refused a vault or integration connection's stored credentials several times in a row;
     * data.reason is the sentence to show (broken, until new credentials are stored).
     */
    public static final String CREDENTIALS_REJECTED = "dev.polymux.credentials.rejected.v1";
    /** oauth: the grant was authorized or reconnected (active). */
    public static final String GRANT_AUTHORIZED = "dev.polymux.grant.authorized.v1";
    /** oauth: the grant broke; data.reason is a sentence a person can act on (broken). */
    public static final String GRANT_BROKEN = "dev.polymux.grant.broken.v1";
    /** oauth: the person revoked access at the provider (revoked). */
    public static final String GRANT_REVOKED = "dev.polymux.grant.revoked.v1";

    /**
     * oauth: every required setup step of an integration installation passed with the values now stored (active; an
     * integration's stored credentials alone do not make it active).
     */
    public static final String SETUP_COMPLETED = "dev.polymux.setup.completed.v1";
    /** oauth: an uninstalled integration's setup was undone at the provider; vault-service may now delete its values. */
    public static final String SETUP_REMOVED = "dev.polymux.setup.removed.v1";

    private ConnectionEventTypes() {
    }
}
