package dev.polymux.oauth.clientregistration.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.connector.builtin.BuiltinConnectors;
import dev.polymux.connector.config.ConnectorsConfig;
import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.oauth.clientregistration.ClientRegistration;
import dev.polymux.oauth.clientregistration.client.VaultClientSecrets;
import dev.polymux.oauth.clientregistration.repository.ClientRegistrationRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Which OAuth client a grant runs with, and registering them. A tenant's own client of a connector wins for that
 * tenant's installations; otherwise the platform's default, registered over REST; otherwise, as a bootstrap, the one
 * in configuration ({@code polymux.connectors.oauth-clients."id".*}). A registered client is only ever used with
 * the endpoints of the approved connector version an installation pins; see ConnectorHandlers.
 */
@ApplicationScoped
public class ClientRegistrations {

    /** A client and what identifies it for caches: who registered it and which sealed version it is. */
    public record Effective(OAuthClientRegistration client, String identity) {
    }

    static final Pattern CONNECTOR_ID = Pattern.compile("^[a-z][a-z0-9-]{1,62}$");
    private static final Pattern PRINTABLE = Pattern.compile("^[\\x20-\\x7E]+$");

    private final ClientRegistrationRepository registrations;
    private final VaultClientSecrets vault;
    private final ConnectorsConfig connectors;
    /** Opened clients by owner, connector and sealed version: a grant's refreshes do not each read vault-service. */
    private final Cache<String, OAuthClientRegistration> opened = Caffeine.newBuilder().maximumSize(10_000).build();

    public ClientRegistrations(ClientRegistrationRepository registrations, VaultClientSecrets vault, ConnectorsConfig connectors) {
        this.registrations = registrations;
        this.vault = vault;
        this.connectors = connectors;
    }

    /** The client a grant of {@code tenant}'s installation of {@code connectorId} runs with; an empty one when none is set up. */
    public Uni<Effective> effective(String tenant, String connectorId) {
        return Panache.withSession(() -> registrations.effective(tenant, connectorId)).flatMap(row -> {
            if (row == null) {
                OAuthClientRegistration configured = BuiltinConnectors.oauthClient(connectorId, connectors);
                return Uni.createFrom().item(new Effective(configured, "config:" + configured.secretFingerprint()));
            }
            String identity = (row.platform() ? "platform" : "tenant:" + row.tenant) + ":" + row.secretVersion;
            OAuthClientRegistration cached = opened.getIfPresent(row.connectorId + "|" + identity);
            if (cached != null) {
                return Uni.createFrom().item(new Effective(cached, identity));
            }
            return vault.read(row.tenant, row.connectorId, "run the OAuth grant of " + row.connectorId).map(client -> {
                if (client == null) {
                    // Registered here but gone from the vault (deleted meanwhile): as if not registered.
                    return new Effective(new OAuthClientRegistration("", Secret.of("")), identity + ":missing");
                }
                opened.put(row.connectorId + "|" + identity, client);
                return new Effective(client, identity);
            });
        });
    }

    /** Registers (or replaces) the client of {@code owner} ({@link ClientRegistration#PLATFORM} or a tenant). */
    public Uni<ClientRegistration> register(String owner, String connectorId, String clientId, String clientSecret, String by) {
        List<Problem.InvalidParam> problems = new ArrayList<>();
        if (connectorId == null || !CONNECTOR_ID.matcher(connectorId).matches()) {
            problems.add(new Problem.InvalidParam("/connectorId", "must be a connector id (lower case letters, digits and dashes)"));
        }
        if (clientId == null || clientId.length() > 512 || !PRINTABLE.matcher(clientId).matches()) {
            problems.add(new Problem.InvalidParam("/clientId", "is required: 1 to 512 printable ASCII characters"));
        }
        if (clientSecret != null && !clientSecret.isEmpty() && (clientSecret.length() > 4096 || !PRINTABLE.matcher(clientSecret).matches())) {
            // Never echo the value: only what is wrong with it.
            problems.add(new Problem.InvalidParam("/clientSecret", "must be at most 4096 printable ASCII characters (no line breaks)"));
        }
        if (!problems.isEmpty()) {
            return Uni.createFrom().failure(ProblemException.invalid("The OAuth client is not valid.", problems));
        }
        OAuthClientRegistration client = new OAuthClientRegistration(clientId, Secret.of(clientSecret == null ? "" : clientSecret));
        return vault.write(owner, connectorId, client, by).flatMap(stored -> Panache.withTransaction(
                () -> registrations.find(owner, connectorId).flatMap(existing -> {
                    ClientRegistration row = existing != null ? existing : new ClientRegistration();
                    row.tenant = owner;
                    row.connectorId = connectorId;
                    row.clientId = clientId;
                    row.secretVersion = stored.version();
                    row.secretFingerprint = stored.fingerprint().isEmpty() ? null : stored.fingerprint();
                    row.registeredBy = by;
                    row.registeredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    return existing != null ? Uni.createFrom().item(row) : registrations.persist(row);
                })));
    }

    public Uni<ClientRegistration> describe(String owner, String connectorId) {
        return Panache.withSession(() -> registrations.find(owner, connectorId)).map(row -> {
            if (row == null) {
                throw ProblemException.notFound("No OAuth client of " + connectorId + " is registered "
                        + (ClientRegistration.PLATFORM.equals(owner) ? "for the platform." : "for this tenant."));
            }
            return row;
        });
    }

    /** Removes the client; the vault's copy first, so nothing can use a client that is no longer listed. */
    public Uni<Void> remove(String owner, String connectorId) {
        return vault.delete(owner, connectorId)
                .chain(() -> Panache.withTransaction(() -> registrations.delete("tenant = ?1 and connectorId = ?2", owner, connectorId)))
                .replaceWithVoid();
    }
}
