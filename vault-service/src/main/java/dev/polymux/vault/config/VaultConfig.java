package dev.polymux.vault.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of vault-service, under {@code polymux.vault.*}; each can be set by its environment variable in Kubernetes. */
@ConfigMapping(prefix = "polymux.vault")
public interface VaultConfig {

    /** The CloudEvents {@code source} of every event this service publishes. Env: POLYMUX_VAULT_EVENT_SOURCE. */
    @WithDefault("/polymux/vault-service")
    String eventSource();

    /**
     * The platform's own tenant: only its admins operate the key-encryption keys, which wrap every tenant's secrets
     * (as in the registry and oauth-service). Env: POLYMUX_VAULT_PLATFORM_TENANT.
     */
    @WithDefault("polymux")
    String platformTenant();

    /**
     * How long an uninstalled integration's values are kept at most while they wait for oauth-service to undo its setup
     * ("setup removed"); after that they are deleted whether or not it did. Env: POLYMUX_VAULT_UNINSTALLED_RETENTION.
     */
    @WithDefault("7d")
    Duration uninstalledRetention();

    /** How often values kept past {@link #uninstalledRetention()} are looked for. Env: POLYMUX_VAULT_UNINSTALLED_SWEEP_EVERY. */
    @WithDefault("1h")
    String uninstalledSweepEvery();

    Kek kek();

    Rewrap rewrap();

    Callers callers();

    /** Where key-encryption keys come from. */
    interface Kek {

        /** {@code local} (a Tink keyset) or {@code vault} (HashiCorp Vault / OpenBao Transit). Env: POLYMUX_VAULT_KEK_BACKEND. */
        @WithDefault("local")
        String backend();

        Local local();

        Transit transit();
    }

    interface Local {

        /**
         * A file holding the keyset (base64 of Tink's binary format): writable, so rotation can add keys; re-read when
         * it changes (a Kubernetes Secret updated by an operator). Env: POLYMUX_VAULT_KEK_LOCAL_KEYSET_FILE.
         */
        Optional<Path> keysetFile();

        /** The keyset itself, read-only (an environment variable from a Secret). Env: POLYMUX_VAULT_KEK_LOCAL_KEYSET. */
        Optional<String> keyset();

        /**
         * Create the keyset file with one new key when it does not exist. deploy/local/up and tests set it; production
         * must not, since a Secret that failed to mount would otherwise start a second, unrelated keyset.
         */
        @WithDefault("false")
        boolean createIfMissing();

        /** How often the keyset file is checked for changes. */
        @WithDefault("10s")
        Duration reloadInterval();
    }

    interface Transit {

        /** The Transit key that wraps data keys; created (derived) when missing. quarkus.vault.* says where Vault is. */
        @WithDefault("polymux-kek")
        String keyName();
    }

    /** The background job that moves every data key to the primary KEK after a rotation. */
    interface Rewrap {

        @WithDefault("200")
        int batchSize();

        /** How often the job looks for data keys wrapped by an older KEK (a rotation also starts it at once). */
        @WithDefault("30s")
        String every();
    }

    /**
     * Which services may call which gRPC methods: the {@code sub} of their service token (a JWT with the
     * {@code service} role, docs/access.md).
     */
    interface Callers {

        /** GetSecret. Env: POLYMUX_VAULT_CALLERS_SECRETS. */
        @WithDefault("dispatch-service,oauth-service")
        Set<String> secrets();

        /** GetTokenSet, PutTokenSet, PutSecret (integration setup) and DeleteInstallationSecrets. Env: POLYMUX_VAULT_CALLERS_TOKEN_SETS. */
        @WithDefault("oauth-service")
        Set<String> tokenSets();

        /** GetOAuthClient, PutOAuthClient and DeleteOAuthClient. Env: POLYMUX_VAULT_CALLERS_OAUTH_CLIENTS. */
        @WithDefault("oauth-service")
        Set<String> oauthClients();
    }
}
