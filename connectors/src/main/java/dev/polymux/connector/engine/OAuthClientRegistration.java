package dev.polymux.connector.engine;

import dev.polymux.connector.sdk.Secret;

/** The OAuth client Polymux registered with a provider for a connector (from configuration, never a manifest). */
public record OAuthClientRegistration(String clientId, Secret clientSecret) {

    @Override
    public String toString() {
        return "OAuthClientRegistration[clientId=" + clientId + ", clientSecret=***]";
    }
}
