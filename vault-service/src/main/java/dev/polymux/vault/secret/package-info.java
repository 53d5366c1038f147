/**
 * Secret values of installations and OAuth token sets, validated against their shapes.
 */
package dev.polymux.vault.secret;
