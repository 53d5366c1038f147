package dev.polymux.connector.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The kit itself: it must fail a connector that mishandles the cases it checks, and only those. */
class OAuthConformanceKitTest {

    @Test
    void theKitFailsACarelessConnectorExactlyWhereItIsCareless() {
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(CarelessConnectorConformance.class))
                .execute()
                .testEvents();

        assertEquals(Set.of(
                "refreshesTheGrant",                                // logs the refresh token
                "keepsTheRotatedRefreshToken",                      // logs the refresh token
                "keepsTheOldRefreshTokenWhenTheRefreshBringsNone",  // drops it, and logs it
                "givesARefreshableTokenWithoutExpiresInADefaultLifetime",       // expires at once
                "treatsATokenWithoutExpiresInAndWithoutRefreshTokenAsNonExpiring", // expires at once
                "invalidGrantBreaksTheGrantWithASentenceForAPerson" // calls it transient, and logs the token
        ), methods(tests.failed()));
        assertEquals(Set.of("exchangesTheCodeWithItsPkceVerifier", "aDeclinedAuthorizationIsASentenceForAPerson"),
                methods(tests.succeeded()));
    }

    private static Set<String> methods(Events events) {
        Set<String> names = new TreeSet<>();
        events.stream()
                .map(event -> event.getTestDescriptor().getSource().orElse(null))
                .filter(MethodSource.class::isInstance)
                .forEach(source -> names.add(((MethodSource) source).getMethodName()));
        return names;
    }
}
