/**
 * Audit events on polymux.audit-events.v1: who read, wrote or deleted which secret fields (of installations and of
 * OAuth clients), and when. Never a value.
 */
package dev.polymux.vault.audit;
