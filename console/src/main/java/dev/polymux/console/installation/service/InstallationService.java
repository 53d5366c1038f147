package dev.polymux.console.installation.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import dev.polymux.console.installation.client.AuthorizeRequest;
import dev.polymux.console.installation.client.AuthorizeView;
import dev.polymux.console.installation.client.CheckView;
import dev.polymux.console.installation.client.CredentialView;
import dev.polymux.console.installation.client.InstallRequest;
import dev.polymux.console.installation.client.InstallationView;
import dev.polymux.console.installation.client.OAuthInstallationsClient;
import dev.polymux.console.installation.client.RegistryInstallationsClient;
import dev.polymux.console.installation.client.SetupView;
import dev.polymux.console.installation.client.StepSubmission;
import dev.polymux.console.installation.client.VaultCredentialsClient;
import dev.polymux.console.marketplace.client.PluginView;
import dev.polymux.console.marketplace.client.RegistryMarketplaceClient;
import dev.polymux.console.marketplace.service.ConnectorDetail;
import dev.polymux.console.marketplace.service.MarketplaceService;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;

/**
 * The session's tenant's installations: install, the cards of each plugin's connections, a vault connection's values
 * (passed to vault-service and forgotten: never kept, logged or shown again), an OAuth connection's authorize link, an
 * integration's setup steps (their values passed to oauth-service and forgotten the same way), uninstall.
 */
@ApplicationScoped
public class InstallationService {

    private final RegistryInstallationsClient installations;
    private final RegistryMarketplaceClient marketplace;
    private final VaultCredentialsClient vault;
    private final OAuthInstallationsClient oauth;

    public InstallationService(@RestClient RegistryInstallationsClient installations, @RestClient RegistryMarketplaceClient marketplace,
            @RestClient VaultCredentialsClient vault, @RestClient OAuthInstallationsClient oauth) {
        this.installations = installations;
        this.marketplace = marketplace;
        this.vault = vault;
        this.oauth = oauth;
    }

    static final String OAUTH_UNREACHABLE = "oauth-service cannot be reached right now; try again in a moment.";

    public List<InstallationView> install(ConsoleSession session, String pluginId) {
        return installations.install(session.bearer(), session.tenant(), new InstallRequest(pluginId));
    }

    /** One installation of the session's tenant, as the registry has it now. */
    public InstallationView installation(ConsoleSession session, String installationId) {
        return installations.get(session.bearer(), session.tenant(), installationId);
    }

    public List<InstallationView> uninstall(ConsoleSession session, String pluginId) {
        return installations.uninstall(session.bearer(), session.tenant(), pluginId);
    }

    /** Every plugin of the tenant with a card per connection; a card's problem (if any) is given by installation id. */
    public List<PluginGroup> groups(ConsoleSession session, String problemOf, String problem) {
        return groups(session, problemOf, problem, null, null);
    }

    /** As above, with a notice (what just happened) on the card of installation {@code noticeOf}. */
    public List<PluginGroup> groups(ConsoleSession session, String problemOf, String problem, String noticeOf, String notice) {
        Map<String, List<InstallationView>> byPlugin = new LinkedHashMap<>();
        for (InstallationView installation : installations.list(session.bearer(), session.tenant())) {
            byPlugin.computeIfAbsent(installation.pluginId(), id -> new ArrayList<>()).add(installation);
        }
        Manifests manifests = new Manifests(session);
        List<PluginGroup> groups = new ArrayList<>();
        for (Map.Entry<String, List<InstallationView>> plugin : byPlugin.entrySet()) {
            List<ConnectionCard> cards = new ArrayList<>();
            String label = null;
            String version = null;
            for (InstallationView installation : plugin.getValue()) {
                Optional<PluginView> manifest = manifests.plugin(installation.pluginId(), installation.pluginVersion());
                if (!installation.revoked() || label == null) {
                    label = manifest.map(PluginView::label).orElse(label);
                    version = installation.pluginVersion();
                }
                JsonNode entry = entry(manifest, installation.connectionKey());
                boolean integration = "integration".equals(installation.kind());
                ConnectorDetail.Shape shape = "vault".equals(installation.kind()) || integration ? manifests.shape(entry, installation) : null;
                CredentialView stored = null;
                String cardProblem = installation.installationId().equals(problemOf) ? problem : null;
                if ("vault".equals(installation.kind()) && !installation.revoked()) {
                    try {
                        stored = vault.describe(session.bearer(), session.tenant(), installation.installationId());
                    } catch (ServiceProblem notStored) {
                        if (notStored.status() != 404 && cardProblem == null) { // 404: nothing stored yet (or the vault has not heard of it yet)
                            cardProblem = notStored.detail();
                        }
                    } catch (jakarta.ws.rs.ProcessingException unreachable) {
                        cardProblem = cardProblem != null ? cardProblem : "The vault cannot be reached right now; try again in a moment.";
                    }
                }
                List<SetupStep> steps = List.of();
                boolean complete = false;
                if (integration && !installation.revoked()) {
                    try {
                        SetupView setup = oauth.setup(session.bearer(), session.tenant(), installation.installationId());
                        steps = setup.steps() == null ? List.of() : setup.steps().stream().map(step -> SetupStep.of(step, shape)).toList();
                        complete = setup.complete();
                    } catch (ServiceProblem notYet) { // e.g. 404 right after install: oauth-service has not heard of it yet
                        cardProblem = cardProblem != null ? cardProblem : notYet.detail();
                    } catch (jakarta.ws.rs.ProcessingException unreachable) {
                        cardProblem = cardProblem != null ? cardProblem : OAUTH_UNREACHABLE;
                    }
                }
                String connectionLabel = entry.path("label").isTextual() ? entry.path("label").asText() : null;
                String cardNotice = installation.installationId().equals(noticeOf) ? notice : null;
                cards.add(new ConnectionCard(installation, connectionLabel, integration ? shape : labelled(shape, connectionLabel), stored,
                        cardProblem, steps, complete, cardNotice));
            }
            groups.add(new PluginGroup(plugin.getKey(), label, version, cards));
        }
        return groups;
    }

    /**
     * Stores a vault connection's values: exactly the fields of its shape, read from the form by name ({@code field.<name>}).
     * Nothing of the values is kept, logged or put into an error.
     */
    public CredentialView store(ConsoleSession session, String installationId, Map<String, String> form) {
        InstallationView installation = installations.get(session.bearer(), session.tenant(), installationId);
        if (!"vault".equals(installation.kind()) || installation.revoked()) {
            throw new ServiceProblem(422, installation.revoked() ? "This connection was uninstalled; install the plugin again."
                    : "This connection is not connected with pasted values.", List.of());
        }
        Manifests manifests = new Manifests(session);
        JsonNode entry = entry(manifests.plugin(installation.pluginId(), installation.pluginVersion()), installation.connectionKey());
        ConnectorDetail.Shape shape = labelled(manifests.shape(entry, installation), entry.path("label").isTextual() ? entry.path("label").asText() : null);
        if (shape == null || shape.fields().isEmpty()) {
            throw new ServiceProblem(422, "The shape of this connection's values is not known; the plugin's manifest does not say.", List.of());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (ConnectorDetail.ShapeField field : shape.fields()) {
            String value = form.get("field." + field.name());
            if (value == null || value.isEmpty()) {
                throw new ServiceProblem(400, "Fill in " + field.label() + ".", List.of());
            }
            values.put(field.name(), value);
        }
        return vault.store(session.bearer(), session.tenant(), installationId, values);
    }

    /**
     * The authorize link of an OAuth connection (Connect, and Reconnect of a broken one): the browser must follow it
     * itself, since oauth-service binds the callback to a cookie it sets there. {@code returnUrl}: the Installations page.
     */
    public AuthorizeView connect(ConsoleSession session, String installationId, String returnUrl) {
        InstallationView installation = installations.get(session.bearer(), session.tenant(), installationId);
        if (!"oauth".equals(installation.kind()) || installation.revoked()) {
            throw new ServiceProblem(422, installation.revoked() ? "This connection was uninstalled; install the plugin again."
                    : "This connection is not connected through a provider's consent.", List.of());
        }
        return oauth.authorize(session.bearer(), session.tenant(), installationId, new AuthorizeRequest(returnUrl));
    }

    /**
     * Runs an integration's setup step with the form's values: only the step's own fields (as its schema, or the shape,
     * names them), read by name ({@code field.<name>}) and converted to the JSON types they declare ({@link SetupValues}:
     * an unchecked box is false, other empty ones are left out, as an earlier step may have stored them; a value that
     * does not convert is a {@link SetupValues.NotConvertible} naming the field, and nothing goes to oauth-service's check).
     * Nothing of the values is kept, logged or put into an error.
     */
    public CheckView check(ConsoleSession session, String installationId, String stepId, Map<String, String> form) {
        InstallationView installation = installations.get(session.bearer(), session.tenant(), installationId);
        if (!"integration".equals(installation.kind()) || installation.revoked()) {
            throw new ServiceProblem(422, installation.revoked() ? "This connection was uninstalled; install the plugin again."
                    : "This connection has no setup steps.", List.of());
        }
        SetupView setup = oauth.setup(session.bearer(), session.tenant(), installationId);
        SetupView.StepView step = (setup.steps() == null ? List.<SetupView.StepView>of() : setup.steps()).stream()
                .filter(s -> stepId.equals(s.id())).findFirst()
                .orElseThrow(() -> new ServiceProblem(404, "This integration has no such setup step.", List.of()));
        Manifests manifests = new Manifests(session);
        JsonNode entry = entry(manifests.plugin(installation.pluginId(), installation.pluginVersion()), installation.connectionKey());
        // As the JSON types the fields declare; a value that does not convert is refused here, before oauth-service.
        Map<String, Object> values = SetupValues.of(SetupStep.fields(step.fields(), manifests.shape(entry, installation),
                "passed".equals(step.state())), form);
        return oauth.check(session.bearer(), session.tenant(), installationId, stepId, new StepSubmission(values));
    }

    /** A single value is labelled as its connection is ("Notes API key"), not by its field's name ("value"). */
    static ConnectorDetail.Shape labelled(ConnectorDetail.Shape shape, String connectionLabel) {
        if (shape == null || !"single".equals(shape.kind()) || shape.fields().size() != 1 || connectionLabel == null) {
            return shape;
        }
        ConnectorDetail.ShapeField field = shape.fields().get(0);
        return new ConnectorDetail.Shape(shape.kind(), List.of(new ConnectorDetail.ShapeField(field.name(), connectionLabel, field.secret())));
    }

    private static JsonNode entry(Optional<PluginView> plugin, String key) {
        if (plugin.isEmpty() || plugin.get().manifest() == null) {
            return MissingNode.getInstance();
        }
        for (JsonNode entry : plugin.get().manifest().path("connections")) {
            if (key.equals(entry.path("key").asText())) {
                return entry;
            }
        }
        return MissingNode.getInstance();
    }

    /** The plugin and connector manifests one page needs, each fetched once. */
    private final class Manifests {

        private final ConsoleSession session;
        private final Map<String, Optional<PluginView>> plugins = new HashMap<>();
        private final Map<String, ConnectorDetail.Shape> connectorShapes = new HashMap<>();

        Manifests(ConsoleSession session) {
            this.session = session;
        }

        Optional<PluginView> plugin(String id, String version) {
            return plugins.computeIfAbsent(id + "@" + version, k -> {
                try {
                    return Optional.of(marketplace.plugin(session.bearer(), id, version));
                } catch (ServiceProblem gone) { // e.g. deprecated since: the card still shows, without labels
                    return Optional.empty();
                }
            });
        }

        /** An inline entry's shape, or that of the approved vault connector it names. */
        ConnectorDetail.Shape shape(JsonNode entry, InstallationView installation) {
            if (entry.path("shape").isObject()) {
                return MarketplaceService.shape(entry.path("shape"));
            }
            if (installation.connectorId() == null) {
                return null;
            }
            String key = installation.connectorId() + "@" + installation.connectorVersion();
            if (!connectorShapes.containsKey(key)) {
                ConnectorDetail.Shape shape = null;
                try {
                    JsonNode manifest = marketplace.connector(session.bearer(), installation.connectorId(), installation.connectorVersion()).manifest();
                    shape = manifest == null ? null : MarketplaceService.shape(manifest.path("auth").path("shape"));
                } catch (ServiceProblem unknown) {
                    // no shape: the card says so instead of a form
                }
                connectorShapes.put(key, shape);
            }
            return connectorShapes.get(key);
        }
    }
}
