/**
 * Credentials for a call: vault secrets and OAuth access tokens, cached until shortly before expiry.
 */
package dev.polymux.dispatch.credential;
