/** Audit events on polymux.audit-events.v1: who read, wrote or deleted which secret fields, and when. Never a value. */
package dev.polymux.vault.audit;
