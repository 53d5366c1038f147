/**
 * The connector SDK: ConnectorHandler (the Java twin of the source document's TypeScript interface), typed outcomes, setup steps for integration connectors, and the registry of handlers by id. Built in the connectors issue.
 */
package dev.polymux.connector.sdk;
