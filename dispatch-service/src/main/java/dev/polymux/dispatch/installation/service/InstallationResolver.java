package dev.polymux.dispatch.installation.service;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.polymux.common.security.ServiceTokens;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.grpc.InternalCalls;
import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.toolcall.ErrorCode;
import dev.polymux.dispatch.toolcall.ToolCall;
import dev.polymux.dispatch.toolcall.service.CallFailure;
import dev.polymux.proto.registry.v1.GetConnectorRequest;
import dev.polymux.proto.registry.v1.Installation;
import dev.polymux.proto.registry.v1.MutinyRegistryServiceGrpc;
import dev.polymux.proto.registry.v1.ResolveInstallationRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * Which installation and connector a call runs with, from the registry's gRPC API. Active installations are cached
 * (connection events drop them: {@link #forget}); pinned connector versions never change, so their manifests are
 * kept until evicted. Refusals are not cached: an installation that is not active is asked about again next time.
 * Even a stale "active" entry cannot run a call on revoked credentials: vault-service and oauth-service refuse those.
 */
@ApplicationScoped
public class InstallationResolver {

    private record Key(String tenantId, String pluginId, String connectionKey) {
    }

    private final MutinyRegistryServiceGrpc.MutinyRegistryServiceStub registry;
    private final ServiceTokens serviceTokens;
    private final ObjectMapper mapper;
    private final AsyncCache<Key, Installation> installations;
    private final AsyncCache<String, JsonNode> manifests;

    public InstallationResolver(@GrpcClient("registry") MutinyRegistryServiceGrpc.MutinyRegistryServiceStub registry,
            ServiceTokens serviceTokens, ObjectMapper mapper, DispatchConfig config) {
        this.registry = registry;
        this.serviceTokens = serviceTokens;
        this.mapper = mapper;
        this.installations = Caffeine.newBuilder().expireAfterWrite(config.cache().installationTtl())
                .maximumSize(config.cache().maxEntries()).buildAsync();
        this.manifests = Caffeine.newBuilder().maximumSize(1_000).buildAsync();
    }

    /** The call's connection, or a {@link CallFailure} whose message is the registry's sentence. */
    public Uni<ResolvedConnection> resolve(ToolCall call, Instant deadline) {
        Key key = new Key(call.tenantId(), call.pluginId(), call.connectionKey());
        return Uni.createFrom().completionStage(() -> installations.get(key, (k, executor) -> fetch(k, deadline).subscribeAsCompletionStage()))
                .flatMap(installation -> installation.getConnectorId().isEmpty()
                        ? Uni.createFrom().item(connection(installation, null))
                        : manifest(installation, deadline).map(manifest -> connection(installation, manifest)));
    }

    /** Something happened to this installation (status, credentials, uninstall): resolve it afresh next time. */
    public void forget(String installationId) {
        installations.synchronous().asMap().values().removeIf(installation -> installation.getInstallationId().equals(installationId));
    }

    private Uni<Installation> fetch(Key key, Instant deadline) {
        ResolveInstallationRequest request = ResolveInstallationRequest.newBuilder().setTenantId(key.tenantId())
                .setPluginId(key.pluginId()).setConnectionKey(key.connectionKey()).build();
        return InternalCalls.retryingTransient(Uni.createFrom().deferred(() -> client(deadline).resolveInstallation(request)), deadline)
                .onFailure().transform(failure -> switch (InternalCalls.code(failure)) {
                    case NOT_FOUND -> new CallFailure(ErrorCode.CONNECTION_NOT_FOUND, InternalCalls.description(failure,
                            "Plugin " + key.pluginId() + " has no installed connection '" + key.connectionKey() + "' for this tenant."));
                    case FAILED_PRECONDITION -> new CallFailure(ErrorCode.CONNECTION_NOT_ACTIVE, InternalCalls.description(failure,
                            "Connection '" + key.connectionKey() + "' of plugin " + key.pluginId() + " is not active."));
                    default -> InternalCalls.unreachable("the registry", failure);
                });
    }

    private Uni<JsonNode> manifest(Installation installation, Instant deadline) {
        String id = installation.getConnectorId() + "@" + installation.getConnectorVersion();
        GetConnectorRequest request = GetConnectorRequest.newBuilder().setConnectorId(installation.getConnectorId())
                .setVersion(installation.getConnectorVersion()).build();
        return Uni.createFrom().completionStage(() -> manifests.get(id, (k, executor) -> InternalCalls.retryingTransient(
                Uni.createFrom().deferred(() -> client(deadline).getConnector(request)), deadline)
                .map(connector -> parse(connector.getManifestJson()))
                .onFailure().transform(failure -> InternalCalls.code(failure) == Status.Code.NOT_FOUND
                        ? new CallFailure(ErrorCode.INTERNAL, "The connector " + id + " this connection is pinned to is missing from the registry.")
                        : InternalCalls.unreachable("the registry", failure))
                .subscribeAsCompletionStage()));
    }

    private ResolvedConnection connection(Installation installation, JsonNode manifest) {
        JsonNode entry = installation.getConnectionEntryJson().isEmpty() ? null : parse(installation.getConnectionEntryJson());
        return new ResolvedConnection(installation.getInstallationId(), installation.getTenantId(), installation.getPluginId(),
                installation.getConnectionKey(), installation.getKind(), installation.getConnectorId(), installation.getConnectorVersion(), manifest,
                entry);
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CallFailure(ErrorCode.INTERNAL, "The registry sent a manifest or connection entry that is not JSON.");
        }
    }

    private MutinyRegistryServiceGrpc.MutinyRegistryServiceStub client(Instant deadline) {
        return InternalCalls.until(serviceTokens.authorized(registry), deadline);
    }
}
