package dev.polymux.console.signin.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Local sign-in lets anyone be anyone: configured outside the local, dev and test profiles, the console does not start. */
class LocalSignInProfileTest {

    @Test
    void itIsRefusedInProductionAndAnyOtherProfile() {
        for (List<String> profiles : List.of(List.of("prod"), List.of("staging"), List.of("kubernetes", "prod"), List.<String> of())) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LocalSignIn.requireAllowed(profiles));
            assertTrue(refused.getMessage().contains("refused in profile(s) " + profiles), refused.getMessage());
            assertFalse(LocalSignIn.allowedIn(profiles));
        }
    }

    @Test
    void itIsAllowedInTheLocalDevAndTestProfiles() {
        for (String profile : List.of("local", "dev", "test")) {
            assertDoesNotThrow(() -> LocalSignIn.requireAllowed(List.of(profile)));
        }
    }
}
