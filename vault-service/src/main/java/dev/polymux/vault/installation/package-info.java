/**
 * The installations vault-service holds secrets for, projected from the registry's installation events; an
 * installation's removal deletes its secrets (an integration's once its setup is undone, or after
 * polymux.vault.uninstalled-retention at the latest).
 */
package dev.polymux.vault.installation;
