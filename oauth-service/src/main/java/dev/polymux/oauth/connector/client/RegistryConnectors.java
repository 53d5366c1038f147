package dev.polymux.oauth.connector.client;

import static dev.polymux.common.grpc.CallersContext.backOnCallersContext;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.security.ServiceTokens;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.proto.registry.v1.GetConnectorRequest;
import dev.polymux.proto.registry.v1.MutinyRegistryServiceGrpc;
import dev.polymux.proto.registry.v1.ReviewState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * The registry's approved connector versions, over its internal gRPC API: the only manifests whose endpoints the
 * platform's OAuth clients are ever used with outside an installation (test-connector).
 */
@ApplicationScoped
public class RegistryConnectors {

    private final MutinyRegistryServiceGrpc.MutinyRegistryServiceStub registry;
    private final ServiceTokens serviceTokens;
    private final OAuthConfig config;
    private final ObjectMapper mapper;

    public RegistryConnectors(@GrpcClient("registry") MutinyRegistryServiceGrpc.MutinyRegistryServiceStub registry,
            ServiceTokens serviceTokens, OAuthConfig config, ObjectMapper mapper) {
        this.registry = registry;
        this.serviceTokens = serviceTokens;
        this.config = config;
        this.mapper = mapper;
    }

    /** The approved manifest of {@code connectorId} (the newest, or {@code version}); empty when there is none approved. */
    public Uni<Optional<JsonNode>> approved(String connectorId, String version) {
        GetConnectorRequest request = GetConnectorRequest.newBuilder().setConnectorId(connectorId)
                .setVersion(version == null ? "" : version).build();
        Uni<Optional<JsonNode>> call = serviceTokens.authorized(registry, config.internalCallTimeout())
                .getConnector(request)
                .map(connector -> connector.getReviewState() == ReviewState.REVIEW_STATE_APPROVED
                        ? Optional.of(parse(connector.getManifestJson())) : Optional.<JsonNode>empty())
                .onFailure(failure -> failure instanceof StatusRuntimeException status
                        && status.getStatus().getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(Optional.empty());
        return backOnCallersContext(call);
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The registry answered a manifest that is not JSON", e);
        }
    }

}
