package dev.polymux.vault.secret.grpc;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import dev.polymux.common.grpc.ProtoTime;
import dev.polymux.common.security.ServiceCallers;
import dev.polymux.proto.vault.v1.DeleteInstallationSecretsRequest;
import dev.polymux.proto.vault.v1.PutSecretRequest;
import dev.polymux.proto.vault.v1.PutSecretResponse;
import dev.polymux.proto.vault.v1.DeleteInstallationSecretsResponse;
import dev.polymux.proto.vault.v1.DeleteOAuthClientRequest;
import dev.polymux.proto.vault.v1.DeleteOAuthClientResponse;
import dev.polymux.proto.vault.v1.GetOAuthClientRequest;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.OAuthClient;
import dev.polymux.proto.vault.v1.OAuthClientKey;
import dev.polymux.proto.vault.v1.PutOAuthClientRequest;
import dev.polymux.proto.vault.v1.PutOAuthClientResponse;
import dev.polymux.proto.vault.v1.PutTokenSetRequest;
import dev.polymux.proto.vault.v1.PutTokenSetResponse;
import dev.polymux.proto.vault.v1.Secret;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultService;
import dev.polymux.vault.audit.service.AuditTrail.Actor;
import dev.polymux.vault.config.VaultConfig;
import dev.polymux.vault.oauthclient.ClientKey;
import dev.polymux.vault.oauthclient.grpc.OAuthClientRequests;
import dev.polymux.vault.oauthclient.service.OAuthClientService;
import dev.polymux.vault.secret.service.CredentialService;
import dev.polymux.vault.secret.service.OpenedSecret;
import dev.polymux.vault.crypto.CryptoWork;
import dev.polymux.persistence.DatabaseOutage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * The only way secret values leave vault-service (polymux.vault.v1). Callers are services with a service token
 * (ServiceCallers): dispatch-service and oauth-service read values, oauth-service alone handles token sets and OAuth
 * clients. Every read is audited before it is answered. Status messages name installations, clients and fields, never
 * values.
 */
@GrpcService
public class VaultGrpcService implements VaultService {

    private static final Logger LOG = Logger.getLogger(VaultGrpcService.class);

    /** The field a token set is sealed under: the whole TokenSet message (without its version). */
    private static final String TOKEN_SET_FIELD = "token_set";

    private final CredentialService credentials;
    private final OAuthClientService oauthClients;
    private final ServiceCallers callers;
    private final VaultConfig config;

    public VaultGrpcService(CredentialService credentials, OAuthClientService oauthClients, ServiceCallers callers, VaultConfig config) {
        this.credentials = credentials;
        this.oauthClients = oauthClients;
        this.callers = callers;
        this.config = config;
    }

    @Override
    public Uni<Secret> getSecret(GetSecretRequest request) {
        // An uninstalled integration's values are read only to undo its setup, which is oauth-service's alone.
        Set<String> allowed = request.getUninstalled() ? config.callers().tokenSets() : config.callers().secrets();
        return callers.require(allowed, "GetSecret").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            return (request.getUninstalled()
                    ? credentials.openUninstalledValues(request.getTenantId(), request.getInstallationId(), Actor.service(caller), request.getPurpose())
                    : credentials.openValues(request.getTenantId(), request.getInstallationId(), Actor.service(caller), request.getPurpose()))
                    .map(opened -> {
                        if (opened == null) {
                            throw Status.NOT_FOUND.withDescription("No values are stored for installation " + request.getInstallationId()
                                    + "; the installer has not supplied them yet.").asRuntimeException();
                        }
                        try {
                            Secret.Builder secret = Secret.newBuilder().setInstallationId(opened.installationId())
                                    .setVersion(opened.version()).setUpdatedAt(ProtoTime.timestamp(opened.updatedAt()));
                            for (Map.Entry<String, byte[]> field : opened.fields().entrySet()) {
                                secret.putFields(field.getKey(), ByteString.copyFrom(field.getValue()));
                            }
                            return secret.build();
                        } finally {
                            opened.clear();
                        }
                    });
        }).onFailure().transform(VaultGrpcService::status);
    }

    @Override
    public Uni<TokenSet> getTokenSet(GetTokenSetRequest request) {
        return callers.require(config.callers().tokenSets(), "GetTokenSet").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            return credentials.openTokenSet(request.getTenantId(), request.getInstallationId(), Actor.service(caller), request.getPurpose())
                    .map(opened -> {
                        if (opened == null) {
                            throw Status.NOT_FOUND.withDescription("Installation " + request.getInstallationId() + " has no token set; "
                                    + "it has not been authorized yet.").asRuntimeException();
                        }
                        try {
                            return TokenSet.parseFrom(opened.fields().get(TOKEN_SET_FIELD)).toBuilder().setVersion(opened.version()).build();
                        } catch (InvalidProtocolBufferException e) {
                            throw Status.DATA_LOSS.withDescription("The stored token set of " + request.getInstallationId()
                                    + " cannot be read.").asRuntimeException();
                        } finally {
                            opened.clear();
                        }
                    });
        }).onFailure().transform(VaultGrpcService::status);
    }

    @Override
    public Uni<PutTokenSetResponse> putTokenSet(PutTokenSetRequest request) {
        return callers.require(config.callers().tokenSets(), "PutTokenSet").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            if (!request.hasTokenSet() || request.getTokenSet().getAccessToken().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("token_set with an access_token is required").asRuntimeException();
            }
            if (request.getExpectedVersion() < 0) {
                throw Status.INVALID_ARGUMENT.withDescription("expected_version must be 0 (none stored yet) or the version read").asRuntimeException();
            }
            byte[] sealed = request.getTokenSet().toBuilder().clearVersion().build().toByteArray();
            return credentials.putTokenSet(request.getTenantId(), request.getInstallationId(), sealed, request.getExpectedVersion(),
                    Actor.service(caller)).flatMap(version -> version != null
                            ? Uni.createFrom().item(PutTokenSetResponse.newBuilder().setVersion(version).build())
                            : credentials.tokenSetVersion(request.getInstallationId()).map(stored -> {
                                throw Status.ABORTED.withDescription("The token set of " + request.getInstallationId() + " is at version "
                                        + stored + ", not " + request.getExpectedVersion() + ": another writer stored a newer one. "
                                        + "Read it again instead of overwriting it.").asRuntimeException();
                            }));
        }).onFailure().transform(VaultGrpcService::status);
    }

    /** An integration's setup step stores what the installer submitted and its check accepted (oauth-service only). */
    @Override
    public Uni<PutSecretResponse> putSecret(PutSecretRequest request) {
        return callers.require(config.callers().tokenSets(), "PutSecret").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            if (request.getStoredBy().isBlank()) {
                throw Status.INVALID_ARGUMENT.withDescription("stored_by (the person who submitted the values) is required").asRuntimeException();
            }
            com.fasterxml.jackson.databind.node.ObjectNode values = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            request.getFieldsMap().forEach((name, value) -> values.put(name, value.toString(StandardCharsets.UTF_8)));
            return credentials.storeValues(request.getTenantId(), request.getInstallationId(), values, request.getStoredBy(), request.getRequireAll())
                    .map(stored -> PutSecretResponse.newBuilder().setVersion(stored.credential().version).build());
        }).onFailure().transform(VaultGrpcService::status);
    }

    @Override
    public Uni<DeleteInstallationSecretsResponse> deleteInstallationSecrets(DeleteInstallationSecretsRequest request) {
        return callers.require(config.callers().tokenSets(), "DeleteInstallationSecrets").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            return credentials.deleteAll(request.getTenantId(), request.getInstallationId(), Actor.service(caller))
                    .map(deleted -> DeleteInstallationSecretsResponse.newBuilder().setDeleted(deleted).build());
        }).onFailure().transform(VaultGrpcService::status);
    }

    @Override
    public Uni<OAuthClient> getOAuthClient(GetOAuthClientRequest request) {
        return callers.require(config.callers().oauthClients(), "GetOAuthClient").flatMap(caller -> {
            ClientKey key = OAuthClientRequests.key(request.hasKey(), request.getKey());
            return oauthClients.open(key, Actor.service(caller), request.getPurpose()).map(opened -> {
                if (opened == null) {
                    throw Status.NOT_FOUND.withDescription("No OAuth client of connector " + key.connectorId() + " is stored for "
                            + key.owner() + ".").asRuntimeException();
                }
                try {
                    OAuthClient.Builder client = OAuthClient.newBuilder().setKey(protoKey(key))
                            .setClientId(new String(opened.clientId(), StandardCharsets.UTF_8))
                            .setVersion(opened.version()).setUpdatedAt(ProtoTime.timestamp(opened.updatedAt()));
                    if (opened.clientSecret() != null) {
                        client.setClientSecret(new String(opened.clientSecret(), StandardCharsets.UTF_8));
                    }
                    return client.build();
                } finally {
                    opened.clear();
                }
            });
        }).onFailure().transform(VaultGrpcService::status);
    }

    @Override
    public Uni<PutOAuthClientResponse> putOAuthClient(PutOAuthClientRequest request) {
        return callers.require(config.callers().oauthClients(), "PutOAuthClient").flatMap(caller -> {
            ClientKey key = OAuthClientRequests.put(request);
            Actor writer = request.getStoredBy().isBlank() ? Actor.service(caller) : Actor.user(request.getStoredBy());
            long expected = request.getExpectedVersion();
            return oauthClients.put(key, request.getClientId().getBytes(StandardCharsets.UTF_8),
                    request.getClientSecret().getBytes(StandardCharsets.UTF_8), expected, writer, caller)
                    .flatMap(written -> written != null
                            ? Uni.createFrom().item(PutOAuthClientResponse.newBuilder().setVersion(written.version())
                                    .setFingerprint(written.fingerprint()).build())
                            : oauthClients.version(key).map(stored -> {
                                throw Status.ABORTED.withDescription((stored == 0
                                        ? "No OAuth client of connector " + key.connectorId() + " is stored for " + key.owner()
                                                + ", so it is not at version " + expected + ": another writer deleted it, or none was stored."
                                        : "The OAuth client of connector " + key.connectorId() + " for " + key.owner() + " is at version "
                                                + stored + ", not " + expected + ": another writer changed it.")
                                        + " Read it again instead of overwriting it.").asRuntimeException();
                            }));
        }).onFailure().transform(VaultGrpcService::status);
    }

    @Override
    public Uni<DeleteOAuthClientResponse> deleteOAuthClient(DeleteOAuthClientRequest request) {
        return callers.require(config.callers().oauthClients(), "DeleteOAuthClient").flatMap(caller -> {
            ClientKey key = OAuthClientRequests.key(request.hasKey(), request.getKey());
            return oauthClients.delete(key, Actor.service(caller))
                    .map(deleted -> DeleteOAuthClientResponse.newBuilder().setDeleted(deleted).build());
        }).onFailure().transform(VaultGrpcService::status);
    }

    private static OAuthClientKey protoKey(ClientKey key) {
        return OAuthClientKey.newBuilder().setTenantId(key.tenant()).setConnectorId(key.connectorId()).build();
    }

    private static void requireIds(String tenantId, String installationId) {
        if (tenantId.isBlank() || installationId.isBlank()) {
            throw Status.INVALID_ARGUMENT.withDescription("tenant_id and installation_id are required").asRuntimeException();
        }
    }

    /** Our own failures as gRPC statuses; anything unexpected as INTERNAL with no detail from inside (it could hold anything). */
    private static Throwable status(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        if (failure instanceof CredentialService.NoSuchInstallation) {
            return Status.NOT_FOUND.withDescription(failure.getMessage()).asRuntimeException();
        }
        if (failure instanceof CredentialService.NotAnOAuthConnection) {
            return Status.FAILED_PRECONDITION.withDescription(failure.getMessage()).asRuntimeException();
        }
        if (failure instanceof dev.polymux.common.problem.ProblemException problem) {
            // The shape's findings name fields and rules, never values (the REST API says the same).
            String findings = problem.errors().stream().map(error -> error.pointer() + " " + error.message())
                    .collect(java.util.stream.Collectors.joining("; "));
            Status status = problem.type().status() == 409 ? Status.FAILED_PRECONDITION : problem.type().status() == 404 ? Status.NOT_FOUND
                    : Status.INVALID_ARGUMENT;
            return status.withDescription(problem.getMessage() + (findings.isEmpty() ? "" : " " + findings)).asRuntimeException();
        }
        if (failure instanceof CryptoWork.CryptoFailure) {
            return Status.DATA_LOSS.withDescription("A stored secret could not be decrypted (tampered with, or its key was retired).")
                    .asRuntimeException();
        }
        if (DatabaseOutage.is(failure)) {
            return DatabaseOutage.answer("vault-service", failure);
        }
        LOG.errorf(failure, "A vault gRPC call failed");
        return Status.INTERNAL.withDescription("vault-service failed; see its log (" + failure.getClass().getSimpleName() + ").")
                .asRuntimeException();
    }
}
