/**
 * Key-encryption-key rotation without downtime: a new primary, a background job that rewraps every data key to it
 * (progress in metrics), and retirement of an old key only once nothing uses it.
 */
package dev.polymux.vault.rotation;
