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

import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.common.security.Roles;
import dev.polymux.connector.builtin.InTreeManifests;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.sdk.ConnectorNotConfiguredException;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.oauth.authorization.service.AuthorizationService;
import dev.polymux.oauth.grant.service.ConnectorHandlers;
import io.smallrye.mutiny.Uni;

/**
 * The source document's {@code test-connector my-provider --code <code>}: feeds a code (from a redirect a developer
 * caught by hand) into a connector's handler and shows what came back, access token shortened, so a schema mismatch
 * shows before a real round trip. Nothing is stored. deploy/local/test-connector calls it.
 */
@Path("/admin/test-connector")
@Tag(name = "Connector development")
@RolesAllowed({ Roles.AUTHOR, Roles.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
public class TestConnectorResource {

    /** A connector (in-tree id, or a manifest not published yet), the code, and the PKCE verifier if one was used. */
    public record TestExchange(String connectorId, JsonNode manifest, String code, String codeVerifier, String redirectUri) {
    }

    /** What the token endpoint gave, normalised; the access token shortened, the refresh token only said to be there. */
    public record TokenSummary(String connectorId, String accessToken, String tokenType, Instant expiresAt, boolean refreshToken,
            List<String> scopes, Set<String> extras) {
    }

    private final ConnectorHandlers handlers;
    private final AuthorizationService authorization;
    private final ManifestValidator validator;

    public TestConnectorResource(ConnectorHandlers handlers, AuthorizationService authorization, ManifestValidator validator) {
        this.handlers = handlers;
        this.authorization = authorization;
        this.validator = validator;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "example",
            value = "{\"connectorId\":\"google-drive\",\"code\":\"4/0AbCD...\",\"codeVerifier\":null}")))
    @Operation(summary = "Exchange a code through a connector's handler and show the normalised token set (nothing is stored)")
    public Uni<TokenSummary> exchange(TestExchange request) {
        if (request == null || request.code() == null || request.code().isBlank()) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "Give the code from the provider's redirect (\"code\").");
        }
        JsonNode manifest = manifest(request);
        URI redirectUri = request.redirectUri() != null ? URI.create(request.redirectUri()) : authorization.redirectUri();
        return handlers.forManifest(manifest)
                .flatMap(grantHandler -> grantHandler.handler().exchangeCode(request.code(), redirectUri, request.codeVerifier()))
                .map(tokens -> summary(manifest.path("id").asText(), tokens))
                .onFailure(GrantException.class).transform(failure -> new ProblemException(ProblemType.BAD_REQUEST,
                        "The token endpoint refused the code: " + failure.getMessage()))
                .onFailure(ConnectorNotConfiguredException.class).transform(failure -> new ProblemException(ProblemType.BAD_REQUEST,
                        failure.getMessage()));
    }

    private JsonNode manifest(TestExchange request) {
        if (request.manifest() != null) {
            var problems = validator.validateConnector(request.manifest());
            if (!problems.isEmpty()) {
                throw new ProblemException(ProblemType.BAD_REQUEST, "The manifest is not valid: " + problems.get(0));
            }
            return request.manifest();
        }
        if (request.connectorId() == null) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "Give a connectorId (in-tree) or a manifest.");
        }
        try {
            return InTreeManifests.load(request.connectorId());
        } catch (RuntimeException e) {
            throw ProblemException.notFound("There is no in-tree connector " + request.connectorId() + "; pass its manifest instead.");
        }
    }

    static TokenSummary summary(String connectorId, TokenSet tokens) {
        String access = tokens.accessToken().reveal();
        String shortened = access.length() <= 12 ? "…" : access.substring(0, 8) + "…" + access.substring(access.length() - 4);
        return new TokenSummary(connectorId, shortened, tokens.tokenType(), tokens.expiresAt(), tokens.hasRefreshToken(), tokens.scopes(),
                tokens.extras().keySet());
    }
}
