/**
 * OAuth grants, refresh ahead of expiry with leases, and access tokens for dispatch.
 */
package dev.polymux.oauth.grant;
