/**
 * The declarative engine: standard OAuth2/OIDC grants and HTTP tools from a manifest alone. Built in the connectors issue.
 */
package dev.polymux.connector.engine;
