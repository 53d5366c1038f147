/**
 * Load generator and benchmark harness: throughput, latency and memory of the dispatch path, measured and printed, never asserted in tests.
 */
package dev.polymux.bench;
