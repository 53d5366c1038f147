/**
 * Grants: refresh ahead of expiry in every replica with a lease per grant in PostgreSQL, tokens for dispatch over
 * gRPC (single-flight across replicas), broken grants announced with the connector's sentence.
 */
package dev.polymux.oauth.grant;
