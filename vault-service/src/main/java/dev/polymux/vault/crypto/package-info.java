/**
 * Envelope encryption: each secret value under its own data key (AES-256-GCM, Google Tink), the data key wrapped by a
 * key-encryption key (local Tink keyset, or Vault/OpenBao Transit), both bound to tenant + installation + field
 * (an OAuth client's fields: tenant or platform + connector + field).
 * KEK rotation rewraps data keys online; a KEK is retired only when nothing uses it.
 */
package dev.polymux.vault.crypto;
