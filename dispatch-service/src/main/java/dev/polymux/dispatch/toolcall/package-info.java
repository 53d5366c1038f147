/**
 * Tool calls in, exactly one result out: reading the events (poison to the DLQ with a reason), resolving the
 * installation, getting credentials, running the connector within the deadline, publishing the result.
 */
package dev.polymux.dispatch.toolcall;
