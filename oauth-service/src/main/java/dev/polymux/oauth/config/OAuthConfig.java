package dev.polymux.oauth.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of oauth-service, under {@code polymux.oauth.*}; each can be set by its environment variable in Kubernetes. */
@ConfigMapping(prefix = "polymux.oauth")
public interface OAuthConfig {

    /** The CloudEvents {@code source} of every event this service publishes. Env: POLYMUX_OAUTH_EVENT_SOURCE. */
    @WithDefault("/polymux/oauth-service")
    String eventSource();
}
