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
        List<String> problems = problems(config.getOptionalValue("quarkus.oidc.tenant-enabled", Boolean.class).orElse(true),
                config.getOptionalValue("quarkus.oidc.auth-server-url", String.class), config.getOptionalValue("quarkus.oidc.public-key", String.class),
                config.getOptionalValue("quarkus.oidc.token.issuer", String.class), config.getOptionalValues("quarkus.oidc.token.audience", String.class));
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
        boolean discovery = issuerUrl.filter(url -> !url.isBlank()).isPresent();
        if (!discovery && publicKey.isPresent() && issuer.filter(value -> !value.isBlank()).isEmpty()) {
            problems.add("with a public key (QUARKUS_OIDC_PUBLIC_KEY) and no discovery, POLYMUX_JWT_ISSUER must name the issuer");
        }
        if (audience.filter(values -> values.stream().anyMatch(value -> !value.isBlank() && !"any".equalsIgnoreCase(value))).isEmpty()) {
            problems.add("POLYMUX_JWT_AUDIENCE must name the audience the platform's tokens carry (aud), e.g. polymux");
        }
        return problems;
    }
}
