package dev.polymux.dispatch.connection.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** When a provider's refusals of stored credentials break the connection (vault and integration connections). */
@ConfigMapping(prefix = "polymux.dispatch.credential-rejections")
public interface CredentialRejectionsConfig {

    /**
     * Consecutive rejections (401, a broker refusing the password) within {@link #window()} that break the connection;
     * 0 turns it off. Env: POLYMUX_DISPATCH_CREDENTIAL_REJECTIONS_THRESHOLD.
     */
    @WithDefault("3")
    int threshold();

    /** The rejections counted are those of this last stretch of time. Env: POLYMUX_DISPATCH_CREDENTIAL_REJECTIONS_WINDOW. */
    @WithDefault("10m")
    Duration window();

    /** Installations tracked at once (memory bound). Env: POLYMUX_DISPATCH_CREDENTIAL_REJECTIONS_MAX_TRACKED. */
    @WithDefault("10000")
    int maxTracked();
}
