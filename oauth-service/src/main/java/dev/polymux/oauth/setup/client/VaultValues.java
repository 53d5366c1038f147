package dev.polymux.oauth.setup.client;

import static dev.polymux.common.grpc.CallersContext.backOnCallersContext;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.ByteString;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.security.ServiceTokens;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.proto.vault.v1.DeleteInstallationSecretsRequest;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.MutinyVaultServiceGrpc;
import dev.polymux.proto.vault.v1.PutSecretRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * An integration installation's stored values in vault-service, for its setup steps: read (audited there, with the
 * purpose), stored on behalf of the installer once a step's check passed, deleted once an uninstall is undone.
 */
@ApplicationScoped
public class VaultValues {

    private final MutinyVaultServiceGrpc.MutinyVaultServiceStub vault;
    private final ServiceTokens serviceTokens;
    private final OAuthConfig config;

    public VaultValues(@GrpcClient("vault") MutinyVaultServiceGrpc.MutinyVaultServiceStub vault, ServiceTokens serviceTokens,
            OAuthConfig config) {
        this.vault = vault;
        this.serviceTokens = serviceTokens;
        this.config = config;
    }

    /** The stored values; empty when none are stored yet. */
    public Uni<Map<String, Secret>> read(String tenant, String installationId, String purpose) {
        return backOnCallersContext(client().getSecret(GetSecretRequest.newBuilder().setTenantId(tenant).setInstallationId(installationId)
                .setPurpose(purpose).build())
                .map(VaultValues::values)
                .onFailure(failure -> code(failure) == Status.Code.NOT_FOUND && failure.getMessage().contains("No values are stored"))
                .recoverWithItem(Map.of()));
    }

    /**
     * The values of an uninstalled integration, which vault-service keeps until its setup is undone ("setup removed");
     * empty when none are stored.
     */
    public Uni<Map<String, Secret>> readUninstalled(String tenant, String installationId, String purpose) {
        return backOnCallersContext(client().getSecret(GetSecretRequest.newBuilder().setTenantId(tenant).setInstallationId(installationId)
                .setPurpose(purpose).setUninstalled(true).build())
                .map(VaultValues::values)
                .onFailure(failure -> code(failure) == Status.Code.NOT_FOUND).recoverWithItem(Map.of()));
    }

    private static Map<String, Secret> values(dev.polymux.proto.vault.v1.Secret secret) {
        Map<String, Secret> values = new LinkedHashMap<>();
        secret.getFieldsMap().forEach((name, value) -> values.put(name, Secret.of(value.toString(StandardCharsets.UTF_8))));
        return values;
    }

    /**
     * Stores {@code values} (replacing what was stored). {@code requireAll}: the last required step, after which every
     * required field of the shape must be there. A shape that refuses them is a 422 naming the fields.
     */
    public Uni<Long> write(String tenant, String installationId, Map<String, Secret> values, String by, boolean requireAll) {
        PutSecretRequest.Builder request = PutSecretRequest.newBuilder().setTenantId(tenant).setInstallationId(installationId)
                .setStoredBy(by).setRequireAll(requireAll);
        values.forEach((name, value) -> request.putFields(name, ByteString.copyFrom(value.reveal(), StandardCharsets.UTF_8)));
        return backOnCallersContext(client().putSecret(request.build()).map(written -> written.getVersion())
                .onFailure(failure -> code(failure) == Status.Code.INVALID_ARGUMENT)
                .transform(failure -> ProblemException.invalid("vault-service refused the values: "
                        + ((StatusRuntimeException) failure).getStatus().getDescription(), java.util.List.<Problem.InvalidParam>of())));
    }

    public Uni<Void> deleteAll(String tenant, String installationId) {
        return backOnCallersContext(client().deleteInstallationSecrets(DeleteInstallationSecretsRequest.newBuilder().setTenantId(tenant)
                .setInstallationId(installationId).build())).replaceWithVoid();
    }

    private static Status.Code code(Throwable failure) {
        return failure instanceof StatusRuntimeException status ? status.getStatus().getCode() : Status.Code.UNKNOWN;
    }

    private MutinyVaultServiceGrpc.MutinyVaultServiceStub client() {
        return serviceTokens.authorized(vault, config.internalCallTimeout());
    }
}
