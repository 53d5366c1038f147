package dev.polymux.dispatch.support;

/**
 * Authorization-code connectors whose access tokens live 5 seconds and 60 seconds, with refresh-token rotation
 * ({@link AuthorizationServer}), and a plugin with one connection of each, published once per test JVM. Their one
 * tool calls {@link ProviderStub} under {@code /lifetimes/{path}} with the access token as bearer.
 */
public final class TokenLifetimes {

    public static final String PLUGIN = "token-lifetimes";
    /** The connection whose access tokens live 5 seconds. */
    public static final String FIVE_SECONDS = "five_seconds";
    /** The connection whose access tokens live 60 seconds. */
    public static final String MINUTE = "minute";

    private TokenLifetimes() {
    }

    /** The issuer (at {@link AuthorizationServer}) of a connection's tokens. */
    public static String issuer(String connectionKey) {
        return switch (connectionKey) {
            case FIVE_SECONDS -> AuthorizationServer.FIVE_SECOND_ISSUER;
            case MINUTE -> AuthorizationServer.MINUTE_ISSUER;
            default -> throw new IllegalArgumentException(connectionKey);
        };
    }

    public static synchronized void published() {
        Platform.connector("acme-short", manifest("acme-short", "Acme (5-second tokens)", AuthorizationServer.FIVE_SECOND_ISSUER));
        Platform.connector("acme-minute", manifest("acme-minute", "Acme (60-second tokens)", AuthorizationServer.MINUTE_ISSUER));
        Platform.plugin(PLUGIN, """
                {"id":"%s","version":"1.0.0","label":"Token lifetimes","connections":[
                  {"kind":"oauth","key":"%s","label":"Acme, 5-second tokens","connector":"acme-short","scopes":["read"]},
                  {"kind":"oauth","key":"%s","label":"Acme, 60-second tokens","connector":"acme-minute","scopes":["read"]}]}"""
                .formatted(PLUGIN, FIVE_SECONDS, MINUTE));
    }

    private static String manifest(String id, String label, String issuer) {
        return """
                {"id":"%s","version":"1.0.0","label":"%s","kind":"oauth",
                 "auth":{"authorizationUrl":"%s","tokenUrl":"%s","scopes":["openid","read"],"defaultScopes":["openid"],"pkce":true},
                 "tools":[{"name":"whoami","description":"Who the token belongs to.",
                   "input":{"type":"object","required":["path"],"properties":{"path":{"type":"string","pattern":"^[a-z]+$"}}},
                   "http":{"method":"GET","url":"%s/lifetimes/{path}","credential":{"placement":"bearer"},"successCodes":[200]}}],
                 "allowedHosts":["localhost"]}"""
                .formatted(id, label, AuthorizationServer.authorizationUrl(issuer), AuthorizationServer.tokenUrl(issuer), ProviderStub.url(""));
    }
}
