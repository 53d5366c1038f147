package dev.polymux.vault.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of vault-service, under {@code polymux.vault.*}; each can be set by its environment variable in Kubernetes. */
@ConfigMapping(prefix = "polymux.vault")
public interface VaultConfig {

    /** The CloudEvents {@code source} of every event this service publishes. Env: POLYMUX_VAULT_EVENT_SOURCE. */
    @WithDefault("/polymux/vault-service")
    String eventSource();
}
