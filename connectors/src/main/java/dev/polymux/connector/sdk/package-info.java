/**
 * The connector SDK: {@link dev.polymux.connector.sdk.ConnectorHandler} (the Java twin of the source document's
 * TypeScript interface), typed tool outcomes, redacted secret types, setup steps for integration connectors, and
 * {@link dev.polymux.connector.sdk.ConnectorRegistry}, the twin of {@code registry.ts}.
 */
package dev.polymux.connector.sdk;
