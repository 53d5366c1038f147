package dev.polymux.common.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.grpc.Metadata;

/**
 * This service's own token for calling another service's internal gRPC API (docs/access.md, "Service to service"):
 * a JWT with the {@code service} role whose subject is this service's name. Env: POLYMUX_SERVICE_TOKEN, set by
 * deploy/local/up and the tests, or in production by whatever issues workload tokens (mounted from a Secret that
 * a token issuer renews). The value is a credential: it is never logged.
 */
@ApplicationScoped
public class ServiceTokens {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Optional<String> token;

    public ServiceTokens(@ConfigProperty(name = "polymux.service-token") Optional<String> token) {
        this.token = token;
    }

    /** gRPC metadata carrying the token, for {@code GrpcClientUtils.attachHeaders}. */
    public Metadata headers() {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token.orElseThrow(() -> new IllegalStateException(
                "No service token: set POLYMUX_SERVICE_TOKEN (docs/access.md, \"Service to service\") to call other services.")));
        return headers;
    }

    /** {@code stub} sending this service's token, with a deadline: every internal call has both. */
    public <S extends io.grpc.stub.AbstractStub<S>> S authorized(S stub, java.time.Duration deadline) {
        return io.quarkus.grpc.GrpcClientUtils.attachHeaders(stub, headers())
                .withDeadlineAfter(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
