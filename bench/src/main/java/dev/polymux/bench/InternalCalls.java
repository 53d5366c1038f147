package dev.polymux.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.oauth.v1.GetAccessTokenRequest;
import dev.polymux.proto.oauth.v1.OAuthServiceGrpc;
import dev.polymux.proto.registry.v1.Installation;
import dev.polymux.proto.registry.v1.InstallationStatus;
import dev.polymux.proto.registry.v1.RegistryServiceGrpc;
import dev.polymux.proto.registry.v1.ResolveInstallationRequest;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import io.grpc.ManagedChannel;

/**
 * The internal gRPC calls the dispatcher makes on a cache miss, measured warm from here, one at a time, with a plain
 * grpc-java blocking client presenting dispatch-service's service token: oauth-service's GetAccessToken (a token it
 * holds, no refresh) and the registry's ResolveInstallation.
 */
final class InternalCalls {

    /** Latency of one kind of call, in milliseconds. */
    record Figures(String call, int calls, double p50, double p99, double max, int failed, String firstFailure) {
    }

    private interface Attempt {
        /** Null when the answer is what the dispatcher needs, else what was wrong. */
        String call();
    }

    private static final String SERVICE_TOKEN = TestTokens.service("dispatch-service", 3600);
    /** What the dispatcher asks for (polymux.dispatch.oauth.min-token-validity, 2 s by default). */
    private static final long MIN_VALIDITY_SECONDS = 2;

    private InternalCalls() {
    }

    static Figures getAccessToken(String tenant, String installationId, int warmUp, int calls) throws InterruptedException {
        ManagedChannel channel = GrpcChannels.open(OAuthChild.port);
        try {
            OAuthServiceGrpc.OAuthServiceBlockingStub oauth = GrpcChannels.as(OAuthServiceGrpc.newBlockingStub(channel), SERVICE_TOKEN);
            GetAccessTokenRequest request = GetAccessTokenRequest.newBuilder().setTenantId(tenant).setInstallationId(installationId)
                    .setMinValidity(com.google.protobuf.Duration.newBuilder().setSeconds(MIN_VALIDITY_SECONDS)).build();
            return measure("GetAccessToken → oauth-service", warmUp, calls, () -> {
                AccessToken token = oauth.withDeadlineAfter(5, TimeUnit.SECONDS).getAccessToken(request);
                return token.getAccessToken().isEmpty() ? "an empty access token" : null; // never printed: a credential
            });
        } finally {
            GrpcChannels.close(channel);
        }
    }

    static Figures resolveInstallation(String tenant, String pluginId, String connectionKey, int warmUp, int calls) throws InterruptedException {
        ManagedChannel channel = GrpcChannels.open(RegistryServiceChild.port);
        try {
            RegistryServiceGrpc.RegistryServiceBlockingStub registry = GrpcChannels.as(RegistryServiceGrpc.newBlockingStub(channel), SERVICE_TOKEN);
            ResolveInstallationRequest request = ResolveInstallationRequest.newBuilder().setTenantId(tenant).setPluginId(pluginId)
                    .setConnectionKey(connectionKey).build();
            return measure("ResolveInstallation → registry", warmUp, calls, () -> {
                Installation installation = registry.withDeadlineAfter(5, TimeUnit.SECONDS).resolveInstallation(request);
                return installation.getStatus() == InstallationStatus.INSTALLATION_STATUS_ACTIVE ? null : "status " + installation.getStatus();
            });
        } finally {
            GrpcChannels.close(channel);
        }
    }

    /**
     * The floor under GetAccessToken: the same call without a token, which oauth-service refuses (UNAUTHENTICATED)
     * before any work of its own. What a warm call takes above this is the service's work.
     */
    static Figures getAccessTokenRefused(int warmUp, int calls) throws InterruptedException {
        return refused("(floor) GetAccessToken without a token → oauth-service, refused", OAuthChild.port, warmUp, calls,
                channel -> OAuthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getAccessToken(GetAccessTokenRequest.getDefaultInstance()));
    }

    /** The floor under ResolveInstallation, likewise. */
    static Figures resolveInstallationRefused(int warmUp, int calls) throws InterruptedException {
        return refused("(floor) ResolveInstallation without a token → registry, refused", RegistryServiceChild.port, warmUp, calls,
                channel -> RegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .resolveInstallation(ResolveInstallationRequest.getDefaultInstance()));
    }

    private static Figures refused(String name, int port, int warmUp, int calls, java.util.function.Consumer<ManagedChannel> call)
            throws InterruptedException {
        ManagedChannel channel = GrpcChannels.open(port);
        try {
            return measure(name, warmUp, calls, () -> {
                try {
                    call.accept(channel);
                    return "answered without a token";
                } catch (io.grpc.StatusRuntimeException e) {
                    return e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED ? null : e.getStatus().getCode().name();
                }
            });
        } finally {
            GrpcChannels.close(channel);
        }
    }

    private static Figures measure(String name, int warmUp, int calls, Attempt attempt) {
        for (int i = 0; i < warmUp; i++) {
            outcome(attempt);
        }
        List<Double> latencies = new ArrayList<>(calls);
        int failed = 0;
        String firstFailure = null;
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            String problem = outcome(attempt);
            latencies.add((System.nanoTime() - start) / 1e6);
            if (problem != null) {
                failed++;
                firstFailure = firstFailure == null ? problem : firstFailure;
            }
        }
        latencies.sort(null);
        return new Figures(name, calls, Load.percentile(latencies, 50), Load.percentile(latencies, 99), latencies.getLast(), failed, firstFailure);
    }

    private static String outcome(Attempt attempt) {
        try {
            return attempt.call();
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode().name(); // the status code only: a description could quote a request
        }
    }
}
