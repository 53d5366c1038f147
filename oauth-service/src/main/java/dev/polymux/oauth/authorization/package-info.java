/**
 * The authorize link, its start in the person's browser and the provider's callback: single-use hashed state bound
 * to tenant, installation and redirect URI and to the browser that opened the link (an HttpOnly SameSite=Lax
 * cookie), PKCE S256, the response's issuer checked (RFC 9207), return only to allowed origins.
 */
package dev.polymux.oauth.authorization;
