/**
 * Secret values of installations and OAuth token sets, validated against their shapes, stored sealed (crypto), read
 * back only over internal gRPC.
 */
package dev.polymux.vault.secret;
