package dev.polymux.oauth.clientregistration.client;

import static dev.polymux.common.grpc.CallersContext.backOnCallersContext;


import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.common.security.ServiceTokens;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.proto.vault.v1.DeleteOAuthClientRequest;
import dev.polymux.proto.vault.v1.GetOAuthClientRequest;
import dev.polymux.proto.vault.v1.MutinyVaultServiceGrpc;
import dev.polymux.proto.vault.v1.OAuthClientKey;
import dev.polymux.proto.vault.v1.PutOAuthClientRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * Registered OAuth clients are sealed in vault-service; this is the only place oauth-service reads or writes them,
 * with its service token and a deadline on every call. Every read is audited there.
 */
@ApplicationScoped
public class VaultClientSecrets {

    /** What vault-service answered to a write: the new version and the secret's fingerprint ("" for a public client). */
    public record Stored(long version, String fingerprint) {
    }

    private final MutinyVaultServiceGrpc.MutinyVaultServiceStub vault;
    private final ServiceTokens serviceTokens;
    private final OAuthConfig config;

    public VaultClientSecrets(@GrpcClient("vault") MutinyVaultServiceGrpc.MutinyVaultServiceStub vault, ServiceTokens serviceTokens,
            OAuthConfig config) {
        this.vault = vault;
        this.serviceTokens = serviceTokens;
        this.config = config;
    }

    /** The client stored under the key (tenant "" is the platform's); null when vault-service has none. */
    public Uni<OAuthClientRegistration> read(String tenant, String connectorId, String purpose) {
        return backOnCallersContext(client().getOAuthClient(GetOAuthClientRequest.newBuilder().setKey(key(tenant, connectorId))
                .setPurpose(purpose).build())
                .map(stored -> new OAuthClientRegistration(stored.getClientId(), Secret.of(stored.getClientSecret())))
                .onFailure(failure -> failure instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.NOT_FOUND)
                .recoverWithNull());
    }

    public Uni<Stored> write(String tenant, String connectorId, OAuthClientRegistration registration, String storedBy) {
        return backOnCallersContext(client().putOAuthClient(PutOAuthClientRequest.newBuilder().setKey(key(tenant, connectorId))
                .setClientId(registration.clientId()).setClientSecret(registration.clientSecret().reveal()).setStoredBy(storedBy).build())
                .map(written -> new Stored(written.getVersion(), written.getFingerprint())));
    }

    public Uni<Void> delete(String tenant, String connectorId) {
        return backOnCallersContext(client().deleteOAuthClient(DeleteOAuthClientRequest.newBuilder().setKey(key(tenant, connectorId)).build()))
                .replaceWithVoid();
    }

    private static OAuthClientKey key(String tenant, String connectorId) {
        return OAuthClientKey.newBuilder().setTenantId(tenant).setConnectorId(connectorId).build();
    }

    private MutinyVaultServiceGrpc.MutinyVaultServiceStub client() {
        return serviceTokens.authorized(vault, config.internalCallTimeout());
    }

}
