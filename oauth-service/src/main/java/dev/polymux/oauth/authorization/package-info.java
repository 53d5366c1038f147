/**
 * The authorize redirect and the provider's callback: single-use hashed state bound to tenant, installation and
 * redirect URI, PKCE S256, return only to allowed origins.
 */
package dev.polymux.oauth.authorization;
