package dev.polymux.registry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of registry-service, under {@code polymux.registry.*}; each can be set by its environment variable in Kubernetes. */
@ConfigMapping(prefix = "polymux.registry")
public interface RegistryConfig {

    /** The CloudEvents {@code source} of every event this service publishes. Env: POLYMUX_REGISTRY_EVENT_SOURCE. */
    @WithDefault("/polymux/registry-service")
    String eventSource();

    /**
     * The platform's own tenant: it owns the in-tree connectors seeded at start, and only its tokens' reviewer and
     * admin roles count for review and deprecation. Env: POLYMUX_REGISTRY_PLATFORM_TENANT.
     */
    @WithDefault("polymux")
    String platformTenant();

    Review review();

    Plugins plugins();

    /**
     * The services (the {@code sub} of their service token, docs/access.md) that may call the registry's internal
     * gRPC API. Env: POLYMUX_REGISTRY_GRPC_CALLERS. Not vault-service: it learns installations from the registry's
     * events and calls nobody.
     */
    @WithDefault("oauth-service,dispatch-service")
    java.util.Set<String> grpcCallers();

    interface Review {
        /** Accept plain http:// provider endpoints (local development only). Env: POLYMUX_REGISTRY_REVIEW_ALLOW_PLAIN_HTTP. */
        @WithDefault("false")
        boolean allowPlainHttp();
    }

    interface Plugins {
        /**
         * Who approves a submitted plugin version besides the platform's reviewers (docs/publishing.md). Connections
         * are never approved by policy. Env: POLYMUX_REGISTRY_PLUGINS_AUTO_APPROVE.
         */
        @WithDefault("when-checks-pass")
        AutoApprove autoApprove();
    }

    /** The operator's policy for plugin versions that pass their automated checks. */
    enum AutoApprove {
        /** Every plugin version waits for a platform reviewer. */
        NEVER,
        /**
         * Approved at submission when every automated check passed without a single finding and every connector it
         * uses is approved; anything else waits for a reviewer.
         */
        WHEN_CHECKS_PASS;

        /** As the configuration spells it. */
        public String value() {
            return name().toLowerCase().replace('_', '-');
        }
    }
}
