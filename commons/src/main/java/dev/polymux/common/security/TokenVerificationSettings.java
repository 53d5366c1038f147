package dev.polymux.common.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;

import io.quarkus.runtime.StartupEvent;

/**
 * A service checks who issued a bearer token and for whom: the issuer ({@code iss}) and the audience ({@code aud}).
 * Without them a token the same identity provider issued to any other application (a wiki, a chat bot) would be
 * accepted here. quarkus-oidc checks the issuer of its discovery document, or {@code POLYMUX_JWT_ISSUER}, and the
 * audience {@code POLYMUX_JWT_AUDIENCE}; this refuses to start a service whose settings would skip either check.
 */
@ApplicationScoped
public class TokenVerificationSettings {

    void onStart(@Observes StartupEvent start, Config config) {
        boolean tenantEnabled = config.getOptionalValue("quarkus.oidc.tenant-enabled", Boolean.class).orElse(true);
        // Discovery checks the discovery document's issuer, but only where it is used: quarkus-oidc takes a public key
        // first, and with discovery off the issuer comes from token.issuer alone.
        boolean discovery = config.getOptionalValue("quarkus.oidc.discovery-enabled", Boolean.class).orElse(true);
        Optional<String> issuerUrl = discovery ? config.getOptionalValue("quarkus.oidc.auth-server-url", String.class) : Optional.empty();
        List<String> problems = new ArrayList<>(problems(tenantEnabled, issuerUrl, config.getOptionalValue("quarkus.oidc.public-key", String.class),
                config.getOptionalValue("quarkus.oidc.token.issuer", String.class), config.getOptionalValues("quarkus.oidc.token.audience", String.class)));
        // Introspection answers "active" without the issuer or audience check: tokens are verified locally only.
        for (String introspection : List.of("quarkus.oidc.token.allow-jwt-introspection", "quarkus.oidc.token.allow-opaque-token-introspection")) {
            if (tenantEnabled && config.getOptionalValue(introspection, Boolean.class).orElse(true)) {
                problems.add(introspection + " must be false: introspected tokens skip the issuer and audience checks");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Bearer tokens would not be checked well enough: " + String.join("; ", problems) + " (docs/access.md)");
        }
    }

    /** What is missing from the token checks, as sentences; empty when both issuer and audience are checked. */
    public static List<String> problems(boolean tenantEnabled, Optional<String> issuerUrl, Optional<String> publicKey, Optional<String> issuer,
            Optional<List<String>> audience) {
        List<String> problems = new ArrayList<>();
        if (!tenantEnabled) {
            return problems; // no bearer tokens accepted at all (dispatch-service)
        }
        if (issuer.filter("any"::equalsIgnoreCase).isPresent()) {
            problems.add("POLYMUX_JWT_ISSUER=any accepts any issuer; name the one whose tokens this service accepts");
        }
        // quarkus-oidc uses a configured public key before any discovery document: then only POLYMUX_JWT_ISSUER names the issuer.
        boolean discovery = publicKey.filter(key -> !key.isBlank()).isEmpty() && issuerUrl.filter(url -> !url.isBlank()).isPresent();
        if (!discovery && issuer.filter(value -> !value.isBlank()).isEmpty()) {
            problems.add("without discovery (a public key, or discovery off), POLYMUX_JWT_ISSUER must name the issuer");
        }
        if (audience.filter(values -> values.stream().anyMatch(value -> !value.isBlank() && !"any".equalsIgnoreCase(value))).isEmpty()) {
            problems.add("POLYMUX_JWT_AUDIENCE must name the audience the platform's tokens carry (aud), e.g. polymux");
        }
        return problems;
    }
}
