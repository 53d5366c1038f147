package dev.polymux.common.health.grpc;

import java.time.Duration;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The standard gRPC health service (grpc.health.v1), answering from the same readiness checks as
 * {@code /q/health/ready} (database, Kafka...), so a gRPC probe and an HTTP probe never disagree.
 * <p>
 * Service names: "" (the server) and any {@code polymux.*} service name get the readiness status; other names
 * are NOT_FOUND, as the health protocol asks. Quarkus's own health endpoint is switched off
 * ({@code quarkus.grpc.server.grpc-health.enabled=false}): it reports only whether gRPC services are registered,
 * and it skips binding Mutiny beans in grpc.health.v1, hence the grpc-java base class here.
 */
@GrpcService
public class ReadinessGrpcHealthService extends HealthGrpc.HealthImplBase {

    /** How often Watch re-evaluates readiness; it sends only changes. */
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(5);

    private final SmallRyeHealthReporter healthReporter;

    public ReadinessGrpcHealthService(SmallRyeHealthReporter healthReporter) {
        this.healthReporter = healthReporter;
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responses) {
        if (!isKnown(request.getService())) {
            responses.onError(unknown(request.getService()));
            return;
        }
        readiness().subscribe().with(status -> {
            responses.onNext(response(status));
            responses.onCompleted();
        }, responses::onError);
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responses) {
        if (!isKnown(request.getService())) {
            // The health.proto Quarkus ships predates SERVICE_UNKNOWN; NOT_FOUND is what Check answers too.
            responses.onError(unknown(request.getService()));
            return;
        }
        Cancellable watching = Multi.createFrom().ticks().startingAfter(Duration.ZERO).every(WATCH_INTERVAL)
                .onItem().transformToUniAndConcatenate(tick -> readiness())
                .skip().repetitions()
                .subscribe().with(status -> responses.onNext(response(status)), responses::onError);
        if (responses instanceof ServerCallStreamObserver<HealthCheckResponse> serverObserver) {
            serverObserver.setOnCancelHandler(watching::cancel);
        }
    }

    private Uni<ServingStatus> readiness() {
        return healthReporter.getReadinessAsync()
                .map(health -> health.isDown() ? ServingStatus.NOT_SERVING : ServingStatus.SERVING);
    }

    private static RuntimeException unknown(String service) {
        return Status.NOT_FOUND.withDescription("No service named '" + service + "' on this server").asRuntimeException();
    }

    private static boolean isKnown(String service) {
        return service.isEmpty() || service.startsWith("polymux.");
    }

    private static HealthCheckResponse response(ServingStatus status) {
        return HealthCheckResponse.newBuilder().setStatus(status).build();
    }
}
