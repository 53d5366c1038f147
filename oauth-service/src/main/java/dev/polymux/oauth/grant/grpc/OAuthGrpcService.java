package dev.polymux.oauth.grant.grpc;

import java.time.Duration;

import org.jboss.logging.Logger;

import dev.polymux.common.grpc.ProtoTime;
import dev.polymux.common.grpc.ProviderOutage;
import dev.polymux.common.security.ServiceCallers;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.oauth.grant.service.AccessTokens;
import dev.polymux.oauth.grant.service.GrantService;
import dev.polymux.persistence.DatabaseOutage;
import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.oauth.v1.GetAccessTokenRequest;
import dev.polymux.proto.oauth.v1.InvalidateRequest;
import dev.polymux.proto.oauth.v1.InvalidateResponse;
import dev.polymux.proto.oauth.v1.OAuthService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** polymux.oauth.v1 for dispatch-service: access tokens valid for what the call needs, and rejected-token reports. */
@GrpcService
public class OAuthGrpcService implements OAuthService {

    private static final Logger LOG = Logger.getLogger(OAuthGrpcService.class);
    private static final java.util.Set<String> CALLERS = java.util.Set.of("dispatch-service");
    private static final Duration MAX_VALIDITY = Duration.ofHours(1);

    private final AccessTokens tokens;
    private final GrantService grants;
    private final ServiceCallers callers;

    public OAuthGrpcService(AccessTokens tokens, GrantService grants, ServiceCallers callers) {
        this.tokens = tokens;
        this.grants = grants;
        this.callers = callers;
    }

    @Override
    public Uni<AccessToken> getAccessToken(GetAccessTokenRequest request) {
        return callers.require(CALLERS, "GetAccessToken").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            Duration minValidity = Duration.ofSeconds(request.getMinValidity().getSeconds(), request.getMinValidity().getNanos());
            if (minValidity.isNegative() || minValidity.compareTo(MAX_VALIDITY) > 0) {
                throw Status.INVALID_ARGUMENT.withDescription("min_validity must be between 0 and 1 hour").asRuntimeException();
            }
            return tokens.get(request.getTenantId(), request.getInstallationId(), minValidity).map(set -> {
                AccessToken.Builder token = AccessToken.newBuilder().setAccessToken(set.accessToken().reveal()).setTokenType(set.tokenType())
                        .addAllScopes(set.scopes());
                if (set.expires()) { // unset: the token never expires
                    token.setExpiresAt(ProtoTime.timestamp(set.expiresAt()));
                }
                return token.build();
            });
        }).onFailure().transform(OAuthGrpcService::status);
    }

    @Override
    public Uni<InvalidateResponse> invalidate(InvalidateRequest request) {
        return callers.require(CALLERS, "Invalidate").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            if (request.getAccessToken().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("access_token (the one the provider rejected) is required").asRuntimeException();
            }
            return grants.invalidate(request.getTenantId(), request.getInstallationId(), request.getAccessToken())
                    .map(done -> InvalidateResponse.newBuilder().setInvalidated(done).build());
        }).onFailure().transform(OAuthGrpcService::status);
    }

    private static void requireIds(String tenant, String installation) {
        if (tenant.isBlank() || installation.isBlank()) {
            throw Status.INVALID_ARGUMENT.withDescription("tenant_id and installation_id are required").asRuntimeException();
        }
    }

    private static Throwable status(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        if (failure instanceof AccessTokens.Unavailable unavailable) {
            Status status = switch (unavailable.reason()) {
                case NO_GRANT -> Status.NOT_FOUND;
                case BROKEN -> Status.FAILED_PRECONDITION;
                case TOO_SHORT -> Status.OUT_OF_RANGE;
                case BUSY -> Status.UNAVAILABLE;
            };
            return status.withDescription(failure.getMessage()).asRuntimeException();
        }
        if (failure instanceof GrantException grant) {
            // The provider's own outage: marked, so that callers do not retry it for long (oauth-service backs off).
            return grant.kind() == GrantException.Kind.TRANSIENT ? ProviderOutage.status(grant.getMessage())
                    : Status.FAILED_PRECONDITION.withDescription(grant.getMessage()).asRuntimeException();
        }
        if (DatabaseOutage.is(failure)) {
            return DatabaseOutage.answer("oauth-service", failure);
        }
        LOG.errorf(failure, "An oauth gRPC call failed");
        return Status.INTERNAL.withDescription("oauth-service failed; see its log (" + failure.getClass().getSimpleName() + ").")
                .asRuntimeException();
    }
}
