package dev.polymux.connector.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * Settings of the in-tree connectors, under {@code polymux.connectors.*}. OAuth clients are registered per connector
 * with each provider by the operator; none is needed to start a service, only to run that connector's grant.
 */
@ConfigMapping(prefix = "polymux.connectors")
public interface ConnectorsConfig {

    /**
     * The OAuth client of each connector, by connector id. Env (Kubernetes Secret):
     * POLYMUX_CONNECTORS_OAUTH_CLIENTS__GOOGLE_DRIVE__CLIENT_ID and ..._CLIENT_SECRET.
     */
    Map<String, OAuthClient> oauthClients();

    Mqtt mqtt();

    Http http();

    /** The HTTP client of declarative tools (one per service, shared by every connector). */
    interface Http {
        /**
         * Connections kept per provider host. The client's own default (5) made every call to one provider wait
         * for one of five sockets. Env: POLYMUX_CONNECTORS_HTTP_MAX_CONNECTIONS_PER_HOST.
         */
        @io.smallrye.config.WithDefault("100")
        int maxConnectionsPerHost();
    }

    interface OAuthClient {
        Optional<String> clientId();

        Optional<String> clientSecret();
    }

    interface Mqtt {
        /** Broker hosts installers may point the mqtt connector at; the manifest's allowedHosts when unset. */
        Optional<List<String>> allowedBrokerHosts();
    }
}
