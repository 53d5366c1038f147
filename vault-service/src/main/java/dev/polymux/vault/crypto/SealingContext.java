package dev.polymux.vault.crypto;

/**
 * Where a sealed value belongs, as the associated data of both its encryption and its data key's wrapping. Each kind
 * of context starts its associated data with its own tag, so a value of one kind never opens as another.
 */
public sealed interface SealingContext permits SecretContext, OAuthClientContext {

    byte[] associatedData();
}
