package dev.polymux.console.signin.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.polymux.console.config.ConsoleConfig;
import io.quarkus.oidc.Oidc;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.runtime.OidcConfig;

/**
 * quarkus-oidc's web-app tenant (quarkus.oidc.* in application.properties) is off unless the console signs people in
 * with OIDC: a web-app tenant without an issuer stops the application, and local or no sign-in needs none. With
 * sign-in oidc it is switched on here, at quarkus-oidc's start, after the settings are checked (OidcSignIn).
 */
@ApplicationScoped
public class OidcTenantSetup {

    void onOidc(@Observes Oidc oidc, ConsoleConfig config, OidcConfig oidcConfig) {
        var settings = OidcConfig.getDefaultTenant(oidcConfig);
        OidcSignIn.requireConfigured(config.signIn(), settings.authServerUrl(), settings.clientId());
        if (config.signIn() == ConsoleConfig.SignInMode.OIDC) {
            oidc.create(OidcTenantConfig.builder(settings).enableTenant().build());
        }
    }
}
