/**
 * Per-installation and per-provider concurrency and rate limits.
 */
package dev.polymux.dispatch.throttle;
