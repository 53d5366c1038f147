package dev.polymux.connector.sdk;

/**
 * An operator has not set the connector up on this platform yet (no OAuth client registered with the provider).
 * Nobody can connect until they do; the message names the settings. Not a provider failure, so never retried.
 */
public class ConnectorNotConfiguredException extends IllegalStateException {

    public ConnectorNotConfiguredException(String message) {
        super(message);
    }
}
