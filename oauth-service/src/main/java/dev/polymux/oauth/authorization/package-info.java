/**
 * Authorize URLs, single-use state, PKCE and the provider callback.
 */
package dev.polymux.oauth.authorization;
