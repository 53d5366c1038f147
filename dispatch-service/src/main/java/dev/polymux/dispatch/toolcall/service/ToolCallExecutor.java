package dev.polymux.dispatch.toolcall.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;


import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.ToolOutcome;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.connection.service.CredentialRejections;
import dev.polymux.dispatch.credential.service.CredentialSource;
import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.installation.service.InstallationResolver;
import dev.polymux.dispatch.throttle.service.Throttles;
import dev.polymux.dispatch.toolcall.CallLog;
import dev.polymux.dispatch.toolcall.ErrorCode;
import dev.polymux.dispatch.toolcall.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * Runs one tool call to its one result: resolve the connection, find the tool and check the arguments, get the
 * credentials, then attempt the provider call within the deadline. An OAuth access token is checked before every
 * attempt: it only has to be valid when the request reaches the provider, not for the whole deadline. 429/5xx/network
 * failures are retried by {@link RetryPolicy} (a Retry-After pauses the whole installation); a 401 reports the token,
 * refreshes once and retries once; everything else ends the call. Waiting is a timer, never a thread. The result never
 * fails: whatever goes wrong becomes an error result.
 */
@ApplicationScoped
public class ToolCallExecutor {

    private static final CallLog CALL_LOG = CallLog.of(ToolCallExecutor.class);

    /**
     * A call's result, with what metrics count once it is committed. {@code misrouted}: refused for its Kafka key (it
     * goes to the DLQ too).
     */
    public record Executed(CloudEvent result, String connector, String tool, String outcome, Duration took, boolean misrouted) {
        Executed(CloudEvent result, String connector, String tool, String outcome, Duration took) {
            this(result, connector, tool, outcome, took, false);
        }
    }


    /** The state of one call while it runs. */
    private static final class Run {
        final ToolCall call;
        final Instant receivedAt;
        final Instant deadline;
        final ToolCallSpans.CallSpan span;
        ResolvedConnection connection;
        ConnectorTools.Tool tool;
        Credentials credentials;
        Instant startedAt;
        int attempts;
        boolean refreshed;

        Run(ToolCall call, Instant receivedAt, Instant deadline, ToolCallSpans.CallSpan span) {
            this.call = call;
            this.receivedAt = receivedAt;
            this.deadline = deadline;
            this.span = span;
        }

        String connector() {
            return connection == null ? "unresolved" : connection.connectorLabel();
        }

        String toolLabel() {
            return tool == null ? "unknown" : tool.name();
        }
    }

    private final InstallationResolver resolver;
    private final ConnectorTools tools;
    private final CredentialSource credentials;
    private final Throttles throttles;
    private final ToolResults results;
    private final DispatchMetrics metrics;
    private final RetryPolicy retryPolicy;
    private final DispatchConfig config;
    private final CredentialRejections rejections;
    private final ToolCallSpans spans;

    /** Without spans: the call goes on under the caller's trace id with a span id of our own (as with tracing off). */
    public ToolCallExecutor(InstallationResolver resolver, ConnectorTools tools, CredentialSource credentials, Throttles throttles,
            ToolResults results, DispatchMetrics metrics, DispatchConfig config, CredentialRejections rejections) {
        this(resolver, tools, credentials, throttles, results, metrics, config, rejections, ToolCallSpans.off());
    }

    @Inject
    public ToolCallExecutor(InstallationResolver resolver, ConnectorTools tools, CredentialSource credentials, Throttles throttles,
            ToolResults results, DispatchMetrics metrics, DispatchConfig config, CredentialRejections rejections, ToolCallSpans spans) {
        this.spans = spans;
        this.resolver = resolver;
        this.tools = tools;
        this.credentials = credentials;
        this.throttles = throttles;
        this.results = results;
        this.metrics = metrics;
        this.config = config;
        this.rejections = rejections;
        this.retryPolicy = new RetryPolicy(config.retry(), () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * Runs the call. {@code recordKey}: the Kafka key it came with, which must be its installation id or
     * {@code tenantId/pluginId/connectionKey}, so that one partition, and so one replica, sees every call of a connection
     * and the connection's limits hold (null: not checked, for callers that are not the consumer).
     */
    public Uni<Executed> execute(ToolCall received, Instant receivedAt, String recordKey) {
        // Dispatch's span of the call's trace: the result and the provider request carry its traceparent.
        ToolCallSpans.CallSpan span = spans.start(received);
        ToolCall call = received.withTraceparent(span.traceparent());
        Instant cap = receivedAt.plus(config.maxCallDuration());
        Run run = new Run(call, receivedAt, call.deadline().isBefore(cap) ? call.deadline() : cap, span);
        Duration remaining = Duration.between(Instant.now(), run.deadline);
        if (remaining.isNegative() || remaining.isZero()) {
            return Uni.createFrom().item(ended(run, failed(run, new CallFailure(ErrorCode.DEADLINE_EXCEEDED,
                    "The call's deadline had passed when it arrived; it was not started."))));
        }
        return Uni.createFrom().deferred(() -> {
            metrics.started();
            return span.within(() -> resolver.resolve(call, run.deadline))
                    .flatMap(connection -> {
                        run.connection = connection;
                        checkRouting(recordKey, call, connection);
                        run.tool = tools.find(connection, call.tool(), call.arguments());
                        return span.within(() -> credentials.forCall(connection, "dispatch " + connection.connectorLabel() + "." + call.tool()
                                + " call " + call.callId(), run.deadline));
                    })
                    .flatMap(credentials -> {
                        run.credentials = credentials;
                        return attempt(run);
                    })
                    .ifNoItem().after(remaining).failWith(() -> new CallFailure(ErrorCode.DEADLINE_EXCEEDED,
                            "The call did not finish before its deadline" + (run.attempts > 0 ? " (" + run.attempts + " attempts)." : ".")))
                    .onFailure().recoverWithItem(failure -> failed(run, failure))
                    .onTermination().invoke(metrics::ended)
                    // The result is decided (or the call was given up, cancelled on a rebalance): the span ends.
                    .onTermination().invoke((executed, failure, cancelled) -> {
                        if (executed != null) {
                            ended(run, executed);
                        } else {
                            run.span.end(run.connector(), cancelled ? "cancelled" : ErrorCode.INTERNAL.name(), run.attempts, false);
                        }
                    });
        });
    }

    private static Executed ended(Run run, Executed executed) {
        run.span.end(executed.connector(), executed.outcome(), run.attempts, executed.misrouted());
        return executed;
    }

    /** The key a connection's calls must share: its installation id, or tenant/plugin/connection as the engine names it. */
    public static String connectionKeyOf(ToolCall call) {
        return call.tenantId() + "/" + call.pluginId() + "/" + call.connectionKey();
    }

    private static void checkRouting(String recordKey, ToolCall call, ResolvedConnection connection) {
        if (recordKey == null || recordKey.equals(connection.installationId()) || recordKey.equals(connectionKeyOf(call))) {
            return;
        }
        // INVALID_EVENT only ever comes from here in the executor (the reader answers the other contract breaches).
        throw new CallFailure(ErrorCode.INVALID_EVENT, "The call's Kafka key must be its installation id (" + connection.installationId() + ") or "
                + connectionKeyOf(call) + ", so that one dispatcher sees all calls of the connection and its limits hold;"
                + " the call was not run. Publish it again with that key.");
    }

    /** The INTERNAL result of a call whose run ended without one (a fault of ours). */
    public Executed internalFailure(ToolCall call, Instant receivedAt) {
        // Never the caller's own traceparent: its span id is the caller's, not ours.
        Run run = new Run(call.withTraceparent(TraceContext.childOf(call.traceparent())), receivedAt, call.deadline(), ToolCallSpans.CallSpan.NONE);
        return failed(run, new CallFailure(ErrorCode.INTERNAL, "The dispatcher failed on this call; publish it again."));
    }

    /**
     * One provider attempt, once it is the call's turn: with an OAuth connection the access token is checked (and
     * replaced when it has less than {@code polymux.dispatch.oauth.min-token-validity} left) right before the request is
     * sent, for every attempt, so a retry after a wait never carries a token that expired meanwhile.
     */
    private Uni<Executed> attempt(Run run) {
        // Deferred: whatever throws while the attempt is set up (a token look-up, a request builder) becomes this
        // Uni's failure, so the permit's release below runs on every path, never only after tools.run returned.
        return throttles.acquire(run.connection).flatMap(permit -> Uni.createFrom().deferred(() -> currentCredentials(run))
                .flatMap(current -> {
                    run.credentials = current;
                    run.attempts++;
                    if (run.startedAt == null) {
                        run.startedAt = Instant.now();
                    }
                    DispatchContext context = new DispatchContext(run.call.callId(), run.call.tenantId(), run.connection.installationId(),
                            run.deadline, run.call.traceparent());
                    return Uni.createFrom().deferred(() -> tools.run(run.tool, run.call.arguments(), current, context));
                })
                .onTermination().invoke(permit::release))
                .flatMap(outcome -> next(run, outcome));
    }

    /** Stored values are read once per call; an access token is asked for before each attempt (mostly from the cache). */
    private Uni<Credentials> currentCredentials(Run run) {
        if (!run.connection.oauth()) {
            return Uni.createFrom().item(run.credentials);
        }
        return run.span.within(() -> credentials.forCall(run.connection, "dispatch " + run.connection.connectorLabel() + "." + run.call.tool()
                + " call " + run.call.callId(), run.deadline));
    }

    private Uni<Executed> next(Run run, ToolOutcome answered) {
        ToolOutcome outcome = storedKeyForbidden(run, answered);
        // Only an answer about the credentials moves the streak: a 5xx or a 404 says nothing about the key. Nor does
        // any answer of polymux.http_request: the workflow chose the path, and a path that answers 401 or 403 (or a
        // public one that answers 200) would let a plugin make a tenant's connection look rejected (or healthy).
        if (!builtinRequest(run)) {
            switch (outcome) {
                case ToolOutcome.Success ignored -> rejections.accepted(run.connection);
                case ToolOutcome.CredentialsRejected rejected -> rejections.rejected(run.connection, run.credentials, rejected.message());
                // A Java integration (MQTT) reports a refused password as a broken grant; OAuth connections are skipped there.
                case ToolOutcome.GrantBroken broken -> rejections.rejected(run.connection, run.credentials, broken.sentence());
                default -> {
                }
            }
        }
        return switch (outcome) {
            case ToolOutcome.Success success -> Uni.createFrom().item(succeeded(run, success.output()));
            case ToolOutcome.RetriableFailure retriable -> retryLater(run, retriable);
            case ToolOutcome.CredentialsRejected rejected -> {
                if (!(run.credentials instanceof Credentials.OAuthToken token) || run.refreshed) {
                    yield Uni.createFrom().failure(new CallFailure(ErrorCode.CREDENTIALS_REJECTED, rejected.message()
                            + (run.refreshed ? ", also after a refresh." : ".")));
                }
                run.refreshed = true;
                metrics.retry(run.connector(), "credentials-refreshed");
                // The retry's attempt asks for a token again: oauth-service refreshes, since this one was reported.
                yield run.span.within(() -> credentials.rejected(run.connection, token, run.deadline)).flatMap(ignored -> attempt(run));
            }
            case ToolOutcome.GrantBroken broken -> Uni.createFrom().failure(new CallFailure(ErrorCode.GRANT_BROKEN, broken.sentence()));
            case ToolOutcome.BadArguments bad -> Uni.createFrom().failure(new CallFailure(ErrorCode.BAD_ARGUMENTS, bad.problems().isEmpty()
                    ? bad.message() : bad.message() + ": " + String.join(", ", bad.problems())));
            case ToolOutcome.Failed failed -> Uni.createFrom().failure(new CallFailure(
                    failed.reason() == ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE ? ErrorCode.OUTPUT_TOO_LARGE : ErrorCode.PROVIDER_ERROR,
                    failed.message()));
        };
    }

    /**
     * A 403 to a stored key means the key is refused (revoked, or without the permission the tool needs): it counts
     * as a rejection of the stored credentials. To an OAuth token it usually means a missing scope, which a refresh
     * does not fix: that stays a provider error.
     */
    private static ToolOutcome storedKeyForbidden(Run run, ToolOutcome outcome) {
        // On a path the workflow chose, a 403 says that path is forbidden, not that the key is: a provider error.
        if (outcome instanceof ToolOutcome.Failed failed && failed.status() == 403 && run.credentials instanceof Credentials.Fields
                && !builtinRequest(run)) {
            return new ToolOutcome.CredentialsRejected(failed.message().replace("answered HTTP 403", "rejected the stored credentials (HTTP 403)"));
        }
        return outcome;
    }

    /** The call is polymux.http_request: the workflow, not a reviewed manifest, chose its method and path. */
    private static boolean builtinRequest(Run run) {
        return run.tool != null && run.tool.request() != null;
    }

    /** What is cut out of this call's result: every credential value, and as the request action placed them. */
    private static SecretRedaction redaction(Run run) {
        return SecretRedaction.of(run.credentials, run.tool == null ? null : run.tool.request());
    }

    private Uni<Executed> retryLater(Run run, ToolOutcome.RetriableFailure retriable) {
        // Throttles caps the pause at retry.max-retry-after: the raw header never pauses the installation longer.
        retriable.retryAfter().ifPresent(asked -> throttles.slowDown(run.connection, asked));
        Optional<Duration> wait = retryPolicy.nextWait(run.attempts, retriable.retryAfter(), Instant.now(), run.deadline);
        boolean rateLimited = retriable.status() == 429;
        if (wait.isEmpty()) {
            return Uni.createFrom().failure(new CallFailure(rateLimited ? ErrorCode.RATE_LIMITED : ErrorCode.PROVIDER_UNAVAILABLE,
                    retriable.message() + " after " + run.attempts + (run.attempts == 1 ? " attempt." : " attempts."),
                    retriable.retryAfter().orElse(null)));
        }
        metrics.retry(run.connector(), rateLimited ? "rate-limited" : "unavailable");
        CALL_LOG.debugf(run.call, run.connection.installationId(), "Call %s: attempt %d got HTTP %d; next in %d ms", run.call.callId(), run.attempts,
                retriable.status(), wait.get().toMillis());
        return Uni.createFrom().voidItem().onItem().delayIt().by(wait.get()).flatMap(ignored -> attempt(run));
    }

    private Executed succeeded(Run run, JsonNode output) {
        Instant now = Instant.now();
        // An echoing provider may put the credential into a succeeded output too: values and field names are redacted.
        return new Executed(results.succeeded(run.call, redaction(run).json(output), run.attempts, new ToolResults.Timings(run.receivedAt, run.startedAt, now)),
                run.connector(), run.toolLabel(), "succeeded", Duration.between(run.receivedAt, now));
    }

    /**
     * A provider's error message is quoted in the result, and some providers echo what they were sent: every form of
     * every credential value of the call (raw, Basic, URL- and JSON-escaped) is cut out of it before it leaves.
     */
    private Executed failed(Run run, Throwable failure) {
        CallFailure reason = failure instanceof CallFailure known ? known : unexpected(run, failure);
        Instant now = Instant.now();
        CloudEvent result = results.failed(run.call, reason.code(), redaction(run).text(reason.getMessage()), reason.retryAfter(), run.attempts,
                new ToolResults.Timings(run.receivedAt, run.startedAt, now));
        return new Executed(result, run.connector(), run.toolLabel(), reason.code().name(), Duration.between(run.receivedAt, now),
                reason.code() == ErrorCode.INVALID_EVENT);
    }

    /** A fault of ours: logged by class and call id (a message could quote anything), answered as INTERNAL. */
    private static CallFailure unexpected(Run run, Throwable failure) {
        CALL_LOG.errorf(run.call, run.connection == null ? null : run.connection.installationId(), "Call %s failed unexpectedly: %s at %s",
                run.call.callId(), failure.getClass().getName(), failure.getStackTrace().length > 0 ? failure.getStackTrace()[0] : "?");
        return new CallFailure(ErrorCode.INTERNAL, "The dispatcher failed on this call (" + failure.getClass().getSimpleName()
                + "); publish it again.");
    }
}
