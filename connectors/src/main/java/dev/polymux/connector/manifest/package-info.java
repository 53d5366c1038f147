/**
 * Connection entries and connector manifests, with their JSON Schemas. Built in the connectors issue.
 */
package dev.polymux.connector.manifest;
