/**
 * The declarative engine: what runs connectors that have a manifest and no code. {@link
 * dev.polymux.connector.engine.HttpToolEngine} runs declarative HTTP tools; the OAuth2/OIDC part (authorize URL,
 * code exchange and refresh through quarkus-oidc-client) is still to come in the connectors issue.
 */
package dev.polymux.connector.engine;
