package dev.polymux.oauth.authorization.service;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.oauth.authorization.repository.AuthorizationRequestRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Deletes authorize requests a day after they expired. Until then a replayed or late callback is told exactly what
 * happened ("used already", "expired") instead of "not one of ours".
 */
@ApplicationScoped
public class ExpiredRequestCleanup {

    static final Duration KEEP_AFTER_EXPIRY = Duration.ofDays(1);

    private final AuthorizationRequestRepository requests;

    public ExpiredRequestCleanup(AuthorizationRequestRepository requests) {
        this.requests = requests;
    }

    @Scheduled(every = "1h", delayed = "1m", identity = "polymux-oauth-request-cleanup",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> deleteExpired() {
        return Panache.withTransaction(() -> requests.deleteExpiredBefore(Instant.now().minus(KEEP_AFTER_EXPIRY))).replaceWithVoid();
    }
}
