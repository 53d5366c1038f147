/**
 * OAuth clients as data: per connector, the platform's default client and any tenant's own. Their client id and
 * secret are sealed like every other secret, read and written only over internal gRPC by oauth-service (whose REST API
 * registers them, write-only), every read, write and delete audited. Which one applies to an installation (a
 * tenant's own wins over the platform's) is oauth-service's choice: here a key names exactly one client.
 */
package dev.polymux.vault.oauthclient;
