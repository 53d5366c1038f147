package dev.polymux.oauth.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.polymux.testing.service.VaultServiceChild;

/**
 * The real vault-service as a child process that trusts the {@link ServiceIdentityIssuer}'s tokens (discovery and
 * keys from the issuer, as in production) rather than the tests' fixed key: a caller needs a token the issuer gave.
 */
public class VaultTrustingTheIssuer extends VaultServiceChild {

    @Override
    protected Map<String, String> environment(Path workDir) {
        Map<String, String> env = new HashMap<>(super.environment(workDir));
        env.put("QUARKUS_OIDC_PUBLIC_KEY", ""); // empty is unset: keys come from the issuer
        env.put("QUARKUS_OIDC_AUTH_SERVER_URL", ServiceIdentityIssuer.issuerUrl());
        env.put("QUARKUS_OIDC_TOKEN_ISSUER", ServiceIdentityIssuer.issuerUrl());
        return env;
    }
}
