package dev.polymux.registry.installation.grpc;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.grpc.ProtoTime;
import dev.polymux.common.security.ServiceCallers;
import dev.polymux.persistence.DatabaseOutage;
import dev.polymux.proto.registry.v1.ConnectionKind;
import dev.polymux.proto.registry.v1.Connector;
import dev.polymux.proto.registry.v1.GetConnectorRequest;
import dev.polymux.proto.registry.v1.Installation;
import dev.polymux.proto.registry.v1.InstallationStatus;
import dev.polymux.proto.registry.v1.RegistryService;
import dev.polymux.proto.registry.v1.ResolveInstallationRequest;
import dev.polymux.proto.registry.v1.ReviewState;
import dev.polymux.registry.config.RegistryConfig;
import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.connector.repository.ConnectorVersionRepository;
import dev.polymux.registry.installation.repository.InstallationRepository;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The registry's internal API (polymux.registry.v1) for oauth-service and dispatch-service: connector definitions and
 * installation resolution. Errors are gRPC statuses whose messages a workflow author can act on. Callers present a
 * service token, checked by ServiceCallers before anything is read.
 */
@GrpcService
public class RegistryGrpcService implements RegistryService {


    private final ConnectorVersionRepository connectors;
    private final InstallationRepository installations;
    private final ObjectMapper mapper;
    private final ServiceCallers callers;
    private final RegistryConfig config;

    public RegistryGrpcService(ConnectorVersionRepository connectors, InstallationRepository installations, ObjectMapper mapper,
            ServiceCallers callers, RegistryConfig config) {
        this.connectors = connectors;
        this.installations = installations;
        this.mapper = mapper;
        this.callers = callers;
        this.config = config;
    }

    // The session is opened here, not by @WithSession: opening it takes a connection, and when the database is down
    // that failure must reach the UNAVAILABLE mapping too.
    @Override
    public Uni<Connector> getConnector(GetConnectorRequest request) {
        return callers.require(config.grpcCallers(), "GetConnector").flatMap(caller -> Panache.withSession(() -> connector(request)))
                .onFailure(DatabaseOutage::is).transform(failure -> DatabaseOutage.answer("The registry", failure));
    }

    private Uni<Connector> connector(GetConnectorRequest request) {
        if (request.getConnectorId().isBlank()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("connector_id is required").asRuntimeException());
        }
        Uni<ConnectorVersion> found = request.getVersion().isBlank() ? connectors.newestApproved(request.getConnectorId())
                : connectors.findVersion(request.getConnectorId(), request.getVersion());
        return found.map(connector -> {
            if (connector == null) {
                throw Status.NOT_FOUND.withDescription("There is no " + (request.getVersion().isBlank() ? "approved " : "") + "connector "
                        + request.getConnectorId() + (request.getVersion().isBlank() ? "" : " " + request.getVersion()) + ".").asRuntimeException();
            }
            return Connector.newBuilder()
                    .setConnectorId(connector.connectorId).setVersion(connector.version).setKind(kind(connector.kind))
                    .setLabel(connector.label).setReviewState(ReviewState.valueOf("REVIEW_STATE_" + connector.state.toUpperCase()))
                    .setManifestJson(connector.manifest).setUpdatedAt(ProtoTime.timestamp(connector.updatedAt))
                    .build();
        });
    }

    @Override
    public Uni<Installation> resolveInstallation(ResolveInstallationRequest request) {
        return callers.require(config.grpcCallers(), "ResolveInstallation").flatMap(caller -> Panache.withSession(() -> resolve(request)))
                .onFailure(DatabaseOutage::is).transform(failure -> DatabaseOutage.answer("The registry", failure));
    }

    private Uni<Installation> resolve(ResolveInstallationRequest request) {
        if (request.getTenantId().isBlank() || request.getPluginId().isBlank() || request.getConnectionKey().isBlank()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("tenant_id, plugin_id and connection_key are required").asRuntimeException());
        }
        return installations.resolve(request.getTenantId(), request.getPluginId(), request.getConnectionKey()).map(found -> {
            if (found == null) {
                throw Status.NOT_FOUND.withDescription("Plugin " + request.getPluginId() + " has no installed connection '"
                        + request.getConnectionKey() + "' for this tenant; install the plugin first.").asRuntimeException();
            }
            if (!dev.polymux.registry.installation.Installation.ACTIVE.equals(found.status)) {
                String why = found.statusReason != null ? found.statusReason
                        : "Connection '" + found.connectionKey + "' of plugin " + found.pluginId + " is not connected yet; supply its credentials.";
                throw Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException();
            }
            return Installation.newBuilder()
                    .setInstallationId(found.id).setTenantId(found.tenant).setPluginId(found.pluginId)
                    .setPluginVersion(found.pluginVersion).setConnectionKey(found.connectionKey)
                    .setConnectorId(found.connectorId == null ? "" : found.connectorId)
                    .setConnectorVersion(found.connectorVersion == null ? "" : found.connectorVersion)
                    .setKind(kind(found.kind)).setStatus(InstallationStatus.INSTALLATION_STATUS_ACTIVE)
                    .addAllRequestedScopes(scopes(found.requestedScopes)).setConnectionEntryJson(found.connectionEntry)
                    .build();
        });
    }

    private static ConnectionKind kind(String kind) {
        return ConnectionKind.valueOf("CONNECTION_KIND_" + kind.toUpperCase());
    }

    private List<String> scopes(String json) {
        try {
            List<String> scopes = new ArrayList<>();
            mapper.readTree(json).forEach(scope -> scopes.add(scope.asText()));
            return scopes;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored scopes are not JSON", e);
        }
    }
}
