/**
 * The connector SDK: {@link dev.polymux.connector.sdk.ConnectorHandler} (a connector's code, in Java), typed tool
 * outcomes, redacted secret types, setup steps for integration connectors, and
 * {@link dev.polymux.connector.sdk.ConnectorRegistry}, which finds each handler by id.
 */
package dev.polymux.connector.sdk;
