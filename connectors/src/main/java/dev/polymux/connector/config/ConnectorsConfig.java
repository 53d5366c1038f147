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

    OAuth oauth();

    /**
     * Private hosts and ranges Polymux may connect to after all (host names, {@code *.suffix}, or CIDR ranges): by
     * default none, so manifests and providers reach only public addresses. The local stack allows loopback.
     * Env: POLYMUX_CONNECTORS_ALLOWED_PRIVATE_HOSTS (comma-separated).
     */
    Optional<List<String>> allowedPrivateHosts();

    /**
     * The cluster's own pod and service ranges, refused like private ones (they need not be RFC 1918).
     * Env: POLYMUX_CONNECTORS_BLOCKED_RANGES (comma-separated CIDRs).
     */
    Optional<List<String>> blockedRanges();

    /** Whether plain http is allowed at all (never in production). Env: POLYMUX_CONNECTORS_ALLOW_PLAIN_HTTP. */
    @io.smallrye.config.WithDefault("false")
    boolean allowPlainHttp();

    /** Outbound calls of the OAuth engine: token endpoints and OIDC discovery. */
    interface OAuth {
        /**
         * The longest a token request may take, well inside the refresh lease (polymux.oauth.refresh.lease), so a
         * refresh that hangs never outlives the lease that protects its refresh token.
         * Env: POLYMUX_CONNECTORS_OAUTH_TOKEN_TIMEOUT.
         */
        @io.smallrye.config.WithDefault("PT10S")
        java.time.Duration tokenTimeout();

        /** How long a fetched OIDC discovery document is used before it is fetched again. Env: POLYMUX_CONNECTORS_OAUTH_DISCOVERY_TTL. */
        @io.smallrye.config.WithDefault("PT1H")
        java.time.Duration discoveryTtl();

        /** Token clients and discovery documents kept at most (connector versions times OAuth clients). */
        @io.smallrye.config.WithDefault("1000")
        int maxCachedClients();
    }

    /** The HTTP client of declarative tools (one per service, shared by every connector). */
    interface Http {
        /**
         * Connections kept per provider host. The client's own default (5) made every call to one provider wait
         * for one of five sockets. Env: POLYMUX_CONNECTORS_HTTP_MAX_CONNECTIONS_PER_HOST.
         */
        @io.smallrye.config.WithDefault("100")
        int maxConnectionsPerHost();

        /**
         * The largest provider answer a tool result may carry, in bytes (declarative tools and Java connectors alike).
         * The body is read as a stream and never kept beyond this; a larger answer is the failure OUTPUT_TOO_LARGE.
         * It must stay well below the Kafka producer's max.request.size (1 MiB), since the result, its envelope and
         * headers go out as one record. Env: POLYMUX_CONNECTORS_HTTP_MAX_OUTPUT_BYTES.
         */
        @io.smallrye.config.WithDefault("262144")
        int maxOutputBytes();

        /**
         * Redirect hops a tool that opted in ("followRedirects": true) follows at most; other tools follow none.
         * Env: POLYMUX_CONNECTORS_HTTP_MAX_REDIRECTS.
         */
        @io.smallrye.config.WithDefault("3")
        int maxRedirects();
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
