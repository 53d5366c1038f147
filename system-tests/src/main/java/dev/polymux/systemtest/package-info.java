/**
 * The whole stack end to end (all four services, Kafka, PostgreSQL) and fault tests. Built with the dispatch issue.
 */
package dev.polymux.systemtest;
