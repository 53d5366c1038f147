/**
 * Envelope encryption: data keys wrapped by key-encryption keys, and their rotation.
 */
package dev.polymux.vault.crypto;
