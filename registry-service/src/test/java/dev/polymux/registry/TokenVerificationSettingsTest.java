package dev.polymux.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.polymux.common.security.TokenVerificationSettings;

/** Every service refuses to start with settings under which a token for another application, or from anyone, passes. */
class TokenVerificationSettingsTest {

    private static final Optional<String> KEY = Optional.of("MIIBIjAN...");
    private static final Optional<String> DISCOVERY = Optional.of("https://id.example.com/realms/polymux");
    private static final Optional<List<String>> POLYMUX = Optional.of(List.of("polymux"));

    @Test
    void theIssuerAndTheAudienceAreChecked() {
        assertEquals(List.of(), TokenVerificationSettings.problems(true, DISCOVERY, Optional.empty(), Optional.empty(), POLYMUX),
                "discovery: its issuer is checked");
        assertEquals(List.of(), TokenVerificationSettings.problems(true, Optional.empty(), KEY, Optional.of("https://polymux.local"), POLYMUX));
        assertEquals(List.of(), TokenVerificationSettings.problems(false, Optional.empty(), Optional.empty(), Optional.of("any"), Optional.empty()),
                "no bearer tokens at all (dispatch-service)");
    }

    @Test
    void anyIssuerAnUnnamedOneOrNoAudienceIsRefused() {
        assertTrue(TokenVerificationSettings.problems(true, DISCOVERY, Optional.empty(), Optional.of("any"), POLYMUX).getFirst().contains("any"));
        assertTrue(TokenVerificationSettings.problems(true, Optional.empty(), KEY, Optional.empty(), POLYMUX).getFirst().contains("POLYMUX_JWT_ISSUER"));
        // A public key beside the discovery URL wins in quarkus-oidc: discovery's issuer is then never checked.
        assertTrue(TokenVerificationSettings.problems(true, DISCOVERY, KEY, Optional.empty(), POLYMUX).getFirst().contains("POLYMUX_JWT_ISSUER"));
        for (Optional<List<String>> audience : List.of(Optional.<List<String>> empty(), Optional.of(List.of("any")), Optional.of(List.of(" ")))) {
            assertTrue(TokenVerificationSettings.problems(true, DISCOVERY, Optional.empty(), Optional.empty(), audience).getFirst()
                    .contains("POLYMUX_JWT_AUDIENCE"), String.valueOf(audience));
        }
    }
}
