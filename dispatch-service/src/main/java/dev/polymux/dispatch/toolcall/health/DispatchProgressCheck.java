package dev.polymux.dispatch.toolcall.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.toolcall.service.DispatchProgress;

/**
 * DOWN when polled tool calls have waited longer than {@code polymux.dispatch.progress.stall-after} without a commit: a
 * replica in that state is consumed by its own failures (results that cannot commit are retried), or its consumer stopped, so Kubernetes
 * should restart it. Liveness and readiness alike; it reads two fields and never blocks.
 */
@Liveness
@Readiness
@ApplicationScoped
public class DispatchProgressCheck implements HealthCheck {

    private final DispatchProgress progress;
    private final DispatchConfig config;

    public DispatchProgressCheck(DispatchProgress progress, DispatchConfig config) {
        this.progress = progress;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        Duration waiting = progress.waiting();
        Duration limit = config.progress().stallAfter();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("tool-call dispatch progress")
                .status(!progress.isFailed() && waiting.compareTo(limit) <= 0)
                .withData("consumerStopped", progress.isFailed())
                .withData("waitingForCommitSeconds", waiting.toSeconds())
                .withData("stallAfterSeconds", limit.toSeconds());
        progress.lastCommit().ifPresent(at -> response.withData("lastCommit", at.toString()));
        return response.build();
    }
}
