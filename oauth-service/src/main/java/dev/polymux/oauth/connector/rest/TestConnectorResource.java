package dev.polymux.oauth.connector.rest;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.common.security.CallerIdentity;
import dev.polymux.common.security.Roles;
import dev.polymux.connector.engine.DeclarativeOAuth;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.engine.OAuthSettings;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.sdk.ConnectorNotConfiguredException;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.oauth.authorization.service.AuthorizationService;
import dev.polymux.oauth.connector.client.RegistryConnectors;
import dev.polymux.oauth.grant.service.ConnectorHandlers;
import io.smallrye.mutiny.Uni;

/**
 * What {@code deploy/local/test-connector my-provider --code <code>} calls: feeds a code (from a redirect a developer
 * caught by hand) into a connector's handler and shows what came back, access token shortened, so a schema mismatch
 * shows before a real round trip. Nothing is stored. deploy/local/test-connector calls it.
 * <p>
 * Two ways in, and the platform's OAuth clients only ever meet approved endpoints:
 * <ul>
 * <li>a published connector ({@code connectorId}, optionally {@code version}): the approved manifest comes from the
 * registry, and the code is exchanged with the client the caller's tenant runs with (or one given here);</li>
 * <li>a manifest that is not published ({@code manifest}): only with a client the caller gives here
 * ({@code client.clientId}, and {@code client.clientSecret} unless it is a public client), used for this one
 * exchange, never stored or logged. Its endpoints pass the address guard like any other.</li>
 * </ul>
 */
@Path("/admin/test-connector")
@Tag(name = "Connector development")
@RolesAllowed({ Roles.AUTHOR, Roles.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
public class TestConnectorResource {

    /** A client for this one exchange: never stored, never logged. */
    public record SuppliedClient(String clientId, String clientSecret) {
        OAuthClientRegistration registration() {
            return new OAuthClientRegistration(clientId, Secret.of(clientSecret == null ? "" : clientSecret));
        }

        @Override
        public String toString() {
            return "SuppliedClient[clientId=" + clientId + ", clientSecret=***]";
        }
    }

    /** A published connector or a manifest, the code, the PKCE verifier if one was used, and for a manifest its client. */
    public record TestExchange(String connectorId, String version, JsonNode manifest, SuppliedClient client, String code,
            String codeVerifier, String redirectUri) {
    }

    /** What the token endpoint gave, normalised; the access token shortened, the refresh token only said to be there. */
    public record TokenSummary(String connectorId, String accessToken, String tokenType, Instant expiresAt, boolean refreshToken,
            List<String> scopes, Set<String> extras) {
    }

    private final ConnectorHandlers handlers;
    private final DeclarativeOAuth oauth;
    private final RegistryConnectors registry;
    private final AuthorizationService authorization;
    private final ManifestValidator validator;
    private final CallerIdentity caller;

    public TestConnectorResource(ConnectorHandlers handlers, DeclarativeOAuth oauth, RegistryConnectors registry,
            AuthorizationService authorization, ManifestValidator validator, CallerIdentity caller) {
        this.handlers = handlers;
        this.oauth = oauth;
        this.registry = registry;
        this.authorization = authorization;
        this.validator = validator;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {
            @ExampleObject(name = "published", value = "{\"connectorId\":\"google-drive\",\"code\":\"4/0AbCD...\",\"codeVerifier\":null}"),
            @ExampleObject(name = "draft", value = "{\"manifest\":{\"id\":\"my-provider\",\"...\":\"...\"},"
                    + "\"client\":{\"clientId\":\"my-app\",\"clientSecret\":\"...\"},\"code\":\"abc\",\"codeVerifier\":\"...\"}") }))
    @Operation(summary = "Exchange a code through a connector's handler and show the normalised token set (nothing is stored)")
    public Uni<TokenSummary> exchange(TestExchange request) {
        if (request == null || request.code() == null || request.code().isBlank()) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "Give the code from the provider's redirect (\"code\").");
        }
        URI redirectUri = request.redirectUri() != null ? URI.create(request.redirectUri()) : authorization.redirectUri();
        Uni<TokenSet> tokens = request.manifest() != null ? draft(request, redirectUri) : published(request, redirectUri);
        return tokens.map(set -> summary(request.manifest() != null ? request.manifest().path("id").asText() : request.connectorId(), set))
                .onFailure(GrantException.class).transform(failure -> new ProblemException(ProblemType.BAD_REQUEST,
                        "The token endpoint refused the code: " + failure.getMessage()))
                .onFailure(ConnectorNotConfiguredException.class).transform(failure -> new ProblemException(ProblemType.BAD_REQUEST,
                        failure.getMessage()));
    }

    /** A manifest nobody approved: its endpoints are the caller's, so only the caller's own client goes there. */
    private Uni<TokenSet> draft(TestExchange request, URI redirectUri) {
        var problems = validator.validateConnector(request.manifest());
        if (!problems.isEmpty()) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "The manifest is not valid: " + problems.get(0));
        }
        if (request.client() == null || request.client().clientId() == null || request.client().clientId().isBlank()) {
            throw ProblemException.invalid("A manifest that is not published runs only with the OAuth client you give for this test; "
                    + "the platform's clients are used only with approved connector versions.",
                    List.of(new Problem.InvalidParam("/client/clientId", "is required with a manifest (clientSecret too, unless it is a public client)")));
        }
        return oauth.exchangeCodeOnce(OAuthSettings.from(request.manifest()), request.client().registration(), request.code(), redirectUri,
                request.codeVerifier());
    }

    /** A published connector: its approved manifest from the registry, with the caller's tenant's client or the one given. */
    private Uni<TokenSet> published(TestExchange request, URI redirectUri) {
        if (request.connectorId() == null || request.connectorId().isBlank()) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "Give a connectorId (a published connector) or a manifest.");
        }
        return registry.approved(request.connectorId(), request.version()).flatMap(manifest -> {
            if (manifest.isEmpty()) {
                throw ProblemException.notFound("There is no approved connector " + request.connectorId()
                        + (request.version() == null ? "" : " " + request.version()) + "; pass its manifest (and a client) instead.");
            }
            return handlers.forApproved(manifest.get(), caller.tenant(), request.client() == null ? null : request.client().registration())
                    .flatMap(grantHandler -> grantHandler.handler().exchangeCode(request.code(), redirectUri, request.codeVerifier()));
        });
    }

    static TokenSummary summary(String connectorId, TokenSet tokens) {
        String access = tokens.accessToken().reveal();
        String shortened = access.length() <= 12 ? "…" : access.substring(0, 8) + "…" + access.substring(access.length() - 4);
        return new TokenSummary(connectorId, shortened, tokens.tokenType(), tokens.expiresAt(), tokens.hasRefreshToken(), tokens.scopes(),
                tokens.extras().keySet());
    }
}
