/**
 * Secret values: installers' pasted values (write-only REST; metadata back, never values) and OAuth token sets
 * (compare-and-set), read only over internal gRPC by oauth-service and dispatch-service, every read audited.
 */
package dev.polymux.vault.secret;
