/**
 * A tenant's installations (tenant x plugin x connection key): created pending, active when vault-service reports the
 * credentials stored or oauth-service the grant, broken (with the reason sentence) or revoked on their events, and
 * revoked on uninstall. Status changes from events are idempotent and ignore anything older than the current status.
 */
package dev.polymux.registry.installation;
