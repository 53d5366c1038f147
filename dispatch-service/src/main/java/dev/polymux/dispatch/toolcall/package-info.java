/**
 * Tool-call events in, provider calls, exactly one tool-result event out.
 */
package dev.polymux.dispatch.toolcall;
