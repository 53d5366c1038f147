/**
 * Audit events for every read and write of secret material.
 */
package dev.polymux.vault.audit;
