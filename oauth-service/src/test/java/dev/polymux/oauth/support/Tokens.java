package dev.polymux.oauth.support;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.Duration;

import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.oauth.v1.GetAccessTokenRequest;
import dev.polymux.proto.oauth.v1.OAuthServiceGrpc;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.ManagedChannel;

/** Calls as dispatch-service makes them (GetAccessToken), and reads of what the real vault-service holds. */
public final class Tokens implements AutoCloseable {

    private final ManagedChannel oauth;
    private final ManagedChannel vault;

    public Tokens(int oauthPort) {
        this.oauth = GrpcChannels.open(oauthPort);
        this.vault = GrpcChannels.open(VaultServiceChild.port);
    }

    public AccessToken accessToken(String tenant, String id, long minValiditySeconds) {
        return GrpcChannels.as(OAuthServiceGrpc.newBlockingStub(oauth), TestTokens.service("dispatch-service"))
                .getAccessToken(GetAccessTokenRequest.newBuilder().setTenantId(tenant).setInstallationId(id)
                        .setMinValidity(Duration.newBuilder().setSeconds(minValiditySeconds)).build());
    }

    public OAuthServiceGrpc.OAuthServiceBlockingStub oauthAs(String bearer) {
        return GrpcChannels.as(OAuthServiceGrpc.newBlockingStub(oauth), bearer);
    }

    public TokenSet stored(String tenant, String id) {
        return GrpcChannels.as(VaultServiceGrpc.newBlockingStub(vault), TestTokens.service("oauth-service"))
                .getTokenSet(GetTokenSetRequest.newBuilder().setTenantId(tenant).setInstallationId(id).build());
    }

    /** How many refresh requests reached the server with this refresh token. */
    public static long refreshesWith(String refreshToken) {
        String encoded = "refresh_token=" + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8);
        return AuthorizationServer.refreshRequestBodies().stream().filter(body -> body.contains(encoded)).count();
    }

    @Override
    public void close() throws InterruptedException {
        GrpcChannels.close(oauth);
        GrpcChannels.close(vault);
    }
}
