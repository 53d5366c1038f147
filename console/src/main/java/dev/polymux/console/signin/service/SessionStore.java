package dev.polymux.console.signin.service;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.polymux.console.config.ConsoleConfig;

/**
 * Sessions in memory, at most {@code polymux.console.session.max}, each ending with its token. A restart signs
 * everybody out (a later slice may keep them elsewhere for several replicas).
 */
@ApplicationScoped
public class SessionStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, ConsoleSession> sessions = new ConcurrentHashMap<>();
    /** One lock object per session being renewed. */
    private final Map<String, Object> renewals = new ConcurrentHashMap<>();
    private final int max;
    private final int perSubject;
    private final Clock clock;

    @Inject
    public SessionStore(ConsoleConfig config) {
        this(config.session().max(), config.session().perSubject(), Clock.systemUTC());
    }

    SessionStore(int max, Clock clock) {
        this(max, 10, clock);
    }

    SessionStore(int max, int perSubject, Clock clock) {
        this.max = max;
        this.perSubject = Math.max(1, perSubject);
        this.clock = clock;
    }

    /**
     * A new session. Room is made from the same person's sessions first (beyond {@code perSubject}, or when the store is
     * full), so one person signing in again and again never signs anybody else out.
     */
    public ConsoleSession create(String token, String tenant, String subject, Set<String> roles, Instant expiresAt) {
        return create(token, null, expiresAt, null, tenant, subject, roles, expiresAt);
    }

    /**
     * A new session whose access token ends at {@code tokenExpiresAt}, renewed from {@code renewAt} on with
     * {@code refreshToken} (both null: never).
     */
    public synchronized ConsoleSession create(String token, String refreshToken, Instant tokenExpiresAt, Instant renewAt, String tenant,
            String subject, Set<String> roles, Instant expiresAt) {
        evictExpired();
        while (sessionsOf(tenant, subject).size() >= perSubject || sessions.size() >= max && !sessionsOf(tenant, subject).isEmpty()) {
            sessions.remove(sessionsOf(tenant, subject).getFirst().id());
        }
        while (sessions.size() >= max) {
            sessions.values().stream().min(Comparator.comparing(ConsoleSession::expiresAt)).ifPresent(oldest -> sessions.remove(oldest.id()));
        }
        ConsoleSession session = new ConsoleSession(randomId(), token, refreshToken, tokenExpiresAt, renewAt, tenant, subject,
                Set.copyOf(roles), expiresAt, randomId());
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session of a cookie value, if any. */
    public Optional<ConsoleSession> find(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        ConsoleSession session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(session.expiresAt())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(session);
    }

    public void remove(String id) {
        if (id != null) {
            sessions.remove(id);
            renewals.remove(id);
        }
    }

    /**
     * The live session of {@code id}, renewed first if {@code due} says so. One renewal per session at a time: two
     * pages loading at once must not both spend a refresh token that the issuer rotates on use. A null from
     * {@code renewal} ends the session.
     */
    public Optional<ConsoleSession> renew(String id, Predicate<ConsoleSession> due, UnaryOperator<ConsoleSession> renewal) {
        Object lock = renewals.computeIfAbsent(id, key -> new Object());
        synchronized (lock) {
            Optional<ConsoleSession> current = find(id);
            if (current.isEmpty() || !due.test(current.get())) {
                return current;
            }
            ConsoleSession renewed = renewal.apply(current.get());
            if (renewed == null) {
                remove(id);
                return Optional.empty();
            }
            // Signed out meanwhile: stays signed out.
            return sessions.replace(id, current.get(), renewed) ? Optional.of(renewed) : Optional.empty();
        }
    }

    public int size() {
        return sessions.size();
    }

    /** Compares a form's csrf value with the session's in constant time. */
    public static boolean csrfMatches(ConsoleSession session, String presented) {
        return presented != null && MessageDigest.isEqual(session.csrf().getBytes(), presented.getBytes());
    }

    /** One person's sessions, the one that ends first first. */
    private java.util.List<ConsoleSession> sessionsOf(String tenant, String subject) {
        return sessions.values().stream().filter(s -> s.tenant().equals(tenant) && s.subject().equals(subject))
                .sorted(Comparator.comparing(ConsoleSession::expiresAt)).toList();
    }

    private void evictExpired() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !now.isBefore(s.expiresAt()));
        renewals.keySet().retainAll(sessions.keySet());
    }

    private static String randomId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
