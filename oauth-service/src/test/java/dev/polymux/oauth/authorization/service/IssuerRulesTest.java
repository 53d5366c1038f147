package dev.polymux.oauth.authorization.service;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.ToolOutcome;
import io.smallrye.mutiny.Uni;

/** RFC 9207's rules for the callback's iss, every combination (the real flow is in IssuerCheckTest). */
class IssuerRulesTest {

    private static final String ISSUER = "https://login.acme.example";

    @Test
    void issMustBeTheConnectorsIssuerExactly() {
        assertNull(AuthorizationService.issuerProblem(handler(ISSUER, false), "Acme", ISSUER));
        assertNull(AuthorizationService.issuerProblem(handler(ISSUER, true), "Acme", ISSUER));
        for (String other : List.of("https://evil.example", ISSUER + "/", "HTTPS://login.acme.example", "")) {
            assertTrue(AuthorizationService.issuerProblem(handler(ISSUER, false), "Acme", other).startsWith("This answer did not come from Acme's"),
                    other);
        }
    }

    @Test
    void issIsRefusedWhenTheConnectorNamesNoIssuer() {
        assertTrue(AuthorizationService.issuerProblem(handler(null, false), "Acme", ISSUER).contains("does not name its issuer"));
    }

    @Test
    void noIssIsRefusedOnlyWhenTheProviderPromisesIt() {
        assertNull(AuthorizationService.issuerProblem(handler(ISSUER, false), "Acme", null));
        assertNull(AuthorizationService.issuerProblem(handler(null, false), "Acme", null));
        assertTrue(AuthorizationService.issuerProblem(handler(ISSUER, true), "Acme", null).contains("(no iss)"));
    }

    private static ConnectorHandler handler(String issuer, boolean inEveryResponse) {
        return new ConnectorHandler() {
            @Override
            public String id() {
                return "acme";
            }

            @Override
            public String label() {
                return "Acme";
            }

            @Override
            public List<String> scopes() {
                return List.of();
            }

            @Override
            public Optional<String> issuer() {
                return Optional.ofNullable(issuer);
            }

            @Override
            public boolean issuerInEveryResponse() {
                return inEveryResponse;
            }

            @Override
            public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
