package dev.polymux.console.signin.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SessionStoreTest {

    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aSessionEndsWithItsToken() {
        MovableClock clock = new MovableClock();
        SessionStore store = new SessionStore(10, clock);
        ConsoleSession session = store.create("t", "acme", "ada", Set.of("author"), clock.now.plus(Duration.ofHours(1)));
        assertTrue(store.find(session.id()).isPresent());
        clock.now = clock.now.plus(Duration.ofHours(1));
        assertTrue(store.find(session.id()).isEmpty());
        assertEquals(0, store.size());
    }

    @Test
    void beyondTheCapTheOldestGoes() {
        MovableClock clock = new MovableClock();
        SessionStore store = new SessionStore(2, clock);
        ConsoleSession first = store.create("t1", "acme", "a", Set.of("author"), clock.now.plusSeconds(100));
        ConsoleSession second = store.create("t2", "acme", "b", Set.of("author"), clock.now.plusSeconds(200));
        ConsoleSession third = store.create("t3", "acme", "c", Set.of("author"), clock.now.plusSeconds(300));
        assertEquals(2, store.size());
        assertTrue(store.find(first.id()).isEmpty());
        assertTrue(store.find(second.id()).isPresent());
        assertTrue(store.find(third.id()).isPresent());
    }

    @Test
    void oneSubjectSigningInAgainAndAgainSignsNobodyElseOut() {
        MovableClock clock = new MovableClock();
        SessionStore store = new SessionStore(3, clock);
        ConsoleSession ada = store.create("t", "acme", "ada", Set.of("author"), clock.now.plusSeconds(100));
        for (int i = 0; i < 20; i++) {
            store.create("t", "evil", "mallory", Set.of("author"), clock.now.plusSeconds(200 + i));
        }
        assertTrue(store.find(ada.id()).isPresent(), "another subject's sign-ins took ada's session");
        assertTrue(store.size() <= 3);
    }

    @Test
    void idsAndCsrfValuesAreRandomAndDistinct() {
        SessionStore store = new SessionStore(10, Clock.systemUTC());
        ConsoleSession a = store.create("t", "acme", "a", Set.of("author"), Instant.now().plusSeconds(60));
        ConsoleSession b = store.create("t", "acme", "a", Set.of("author"), Instant.now().plusSeconds(60));
        assertNotEquals(a.id(), b.id());
        assertNotEquals(a.id(), a.csrf());
        assertEquals(43, a.id().length()); // 256 bits, base64url
        assertTrue(SessionStore.csrfMatches(a, a.csrf()));
        assertFalse(SessionStore.csrfMatches(a, b.csrf()));
        assertFalse(SessionStore.csrfMatches(a, null));
        assertFalse(a.toString().contains("t,") || a.toString().contains(a.id()), "no token or id in toString: " + a);
    }
}
