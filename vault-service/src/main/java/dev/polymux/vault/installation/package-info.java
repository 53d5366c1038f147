/**
 * The installations vault-service holds secrets for, projected from the registry's installation events; an
 * installation's removal deletes its secrets.
 */
package dev.polymux.vault.installation;
