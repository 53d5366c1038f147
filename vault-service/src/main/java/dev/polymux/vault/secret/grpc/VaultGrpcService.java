package dev.polymux.vault.secret.grpc;

import java.util.Map;

import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import dev.polymux.common.grpc.ProtoTime;
import dev.polymux.common.security.ServiceCallers;
import dev.polymux.proto.vault.v1.DeleteInstallationSecretsRequest;
import dev.polymux.proto.vault.v1.DeleteInstallationSecretsResponse;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.PutTokenSetRequest;
import dev.polymux.proto.vault.v1.PutTokenSetResponse;
import dev.polymux.proto.vault.v1.Secret;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultService;
import dev.polymux.vault.audit.service.AuditTrail.Actor;
import dev.polymux.vault.config.VaultConfig;
import dev.polymux.vault.secret.service.CredentialService;
import dev.polymux.vault.secret.service.OpenedSecret;
import dev.polymux.vault.crypto.CryptoWork;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * The only way secret values leave vault-service (polymux.vault.v1). Callers are services with a service token
 * (ServiceCallers): dispatch-service and oauth-service read values, oauth-service alone handles token sets. Every
 * read is audited before it is answered. Status messages name installations and fields, never values.
 */
@GrpcService
public class VaultGrpcService implements VaultService {

    private static final Logger LOG = Logger.getLogger(VaultGrpcService.class);

    /** The field a token set is sealed under: the whole TokenSet message (without its version). */
    private static final String TOKEN_SET_FIELD = "token_set";

    private final CredentialService credentials;
    private final ServiceCallers callers;
    private final VaultConfig config;

    public VaultGrpcService(CredentialService credentials, ServiceCallers callers, VaultConfig config) {
        this.credentials = credentials;
        this.callers = callers;
        this.config = config;
    }

    @Override
    public Uni<Secret> getSecret(GetSecretRequest request) {
        return callers.require(config.callers().secrets(), "GetSecret").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            return credentials.openValues(request.getTenantId(), request.getInstallationId(), Actor.service(caller), request.getPurpose())
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

    @Override
    public Uni<DeleteInstallationSecretsResponse> deleteInstallationSecrets(DeleteInstallationSecretsRequest request) {
        return callers.require(config.callers().tokenSets(), "DeleteInstallationSecrets").flatMap(caller -> {
            requireIds(request.getTenantId(), request.getInstallationId());
            return credentials.deleteAll(request.getTenantId(), request.getInstallationId(), Actor.service(caller))
                    .map(deleted -> DeleteInstallationSecretsResponse.newBuilder().setDeleted(deleted).build());
        }).onFailure().transform(VaultGrpcService::status);
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
        if (failure instanceof CryptoWork.CryptoFailure) {
            return Status.DATA_LOSS.withDescription("A stored secret could not be decrypted (tampered with, or its key was retired).")
                    .asRuntimeException();
        }
        LOG.errorf(failure, "A vault gRPC call failed");
        return Status.INTERNAL.withDescription("vault-service failed; see its log (" + failure.getClass().getSimpleName() + ").")
                .asRuntimeException();
    }
}
