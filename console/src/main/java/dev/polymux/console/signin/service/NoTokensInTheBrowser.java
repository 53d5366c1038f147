package dev.polymux.console.signin.service;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import io.quarkus.oidc.AuthorizationCodeTokens;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TokenStateManager;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * quarkus-oidc would keep the person's tokens in its own session cookie (encrypted, but in the browser). The console
 * keeps them in its server-side session instead ({@link OidcSignIn}), made on the very request that completes the code
 * flow: quarkus-oidc's cookie gets a marker with no token in it, and a later request that presents it is not signed in
 * by it (it starts the code flow again).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class NoTokensInTheBrowser implements TokenStateManager {

    static final String MARKER = "console-session";

    @Override
    public Uni<String> createTokenState(RoutingContext routingContext, OidcTenantConfig oidcConfig, AuthorizationCodeTokens tokens,
            OidcRequestContext<String> requestContext) {
        return Uni.createFrom().item(MARKER);
    }

    @Override
    public Uni<AuthorizationCodeTokens> getTokens(RoutingContext routingContext, OidcTenantConfig oidcConfig, String tokenState,
            OidcRequestContext<AuthorizationCodeTokens> requestContext) {
        return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException("the console keeps no tokens in cookies"));
    }

    @Override
    public Uni<Void> deleteTokens(RoutingContext routingContext, OidcTenantConfig oidcConfig, String tokenState,
            OidcRequestContext<Void> requestContext) {
        return Uni.createFrom().voidItem();
    }
}
