package dev.polymux.connector.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

class SdkTypesTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void noTypeThatHoldsASecretShowsItInToString() {
        TokenSet tokens = new TokenSet(Secret.of("at-visible-if-leaked"), Secret.of("rt-visible-if-leaked"), null,
                NOW.plusSeconds(3600), List.of("repo"), Map.of("id_token", "idt-visible-if-leaked"));
        List<String> rendered = List.of(tokens.toString(), Credentials.oauth(tokens).toString(),
                Credentials.fields(Map.of("value", Secret.of("sk_live_visible_if_leaked"))).toString(),
                Secret.of("plain-visible-if-leaked").toString());
        for (String text : rendered) {
            assertFalse(text.contains("visible-if-leaked") || text.contains("visible_if_leaked"), text);
        }
        assertTrue(tokens.toString().contains("refreshToken=present"), tokens.toString());
        assertEquals("Bearer", tokens.tokenType(), "a provider that omits token_type gets Bearer");
    }

    @Test
    void aRefreshWithoutARefreshTokenKeepsTheOldOne() {
        TokenSet before = new TokenSet(Secret.of("at1"), Secret.of("rt1"), "Bearer", NOW, List.of("repo"), Map.of());
        TokenSet refreshed = new TokenSet(Secret.of("at2"), null, "Bearer", NOW.plusSeconds(3600), List.of(), Map.of());
        TokenSet kept = refreshed.keepingRefreshTokenOf(before);
        assertEquals("at2", kept.accessToken().reveal());
        assertEquals("rt1", kept.refreshToken().reveal());
        assertEquals(List.of("repo"), kept.scopes(), "empty scope on refresh keeps the granted scopes");

        TokenSet rotated = new TokenSet(Secret.of("at3"), Secret.of("rt3"), "Bearer", NOW.plusSeconds(3600), List.of("repo"), Map.of());
        assertSame(rotated, rotated.keepingRefreshTokenOf(before), "a rotated refresh token replaces the old one");
    }

    @Test
    void validityIsMeasuredAgainstTheExpiry() {
        TokenSet tokens = new TokenSet(Secret.of("at"), null, null, NOW.plusSeconds(120), List.of(), Map.of());
        assertTrue(tokens.validFor(Duration.ofSeconds(60), NOW));
        assertFalse(tokens.validFor(Duration.ofSeconds(120), NOW));
    }

    @Test
    void retryAfterAcceptsSecondsAndDatesAndNeverGoesNegative() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse("30", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("-5", NOW));
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Wed, 25 Nov 2026 12:01:30 GMT", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Wed, 25 Nov 2026 11:00:00 GMT", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("soon", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse(" ", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse(null, NOW));
    }

    @Test
    void theDeadlineLeavesNoNegativeTime() {
        DispatchContext context = new DispatchContext("call-1", "acme", "inst-1", NOW.plusSeconds(5), null);
        assertEquals(Duration.ofSeconds(5), context.remaining(NOW));
        assertEquals(Duration.ZERO, context.remaining(NOW.plusSeconds(10)));
    }

    @Test
    void theRegistryFindsHandlersByIdAndRefusesTwoWithOneId() {
        ConnectorRegistry registry = new ConnectorRegistry(List.of(handler("stripe"), handler("mqtt")));
        assertEquals("stripe", registry.require("stripe").id());
        assertTrue(registry.find("github").isEmpty(), "declarative connectors have no handler");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> registry.require("githb"));
        assertEquals("No connector handler with id 'githb'; known: [mqtt, stripe]", unknown.getMessage());

        IllegalStateException clash = assertThrows(IllegalStateException.class,
                () -> new ConnectorRegistry(List.of(handler("stripe"), handler("stripe"))));
        assertTrue(clash.getMessage().startsWith("Two connector handlers claim the id 'stripe'"), clash.getMessage());
    }

    @Test
    void aHandlerWithoutOAuthSaysSoInsteadOfPretending() {
        ConnectorHandler stripe = handler("stripe");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> stripe.exchangeCode("code", null, null).await().indefinitely());
        assertEquals("Connector stripe does not exchange codes", e.getMessage());
    }

    private static ConnectorHandler handler(String id) {
        return new ConnectorHandler() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String label() {
                return id;
            }

            @Override
            public List<String> scopes() {
                return List.of();
            }

            @Override
            public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
                return Uni.createFrom().item(new ToolOutcome.Failed(404, "no tools"));
            }
        };
    }
}
