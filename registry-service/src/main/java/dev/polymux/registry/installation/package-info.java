/**
 * A tenant's installations: tenant x plugin x connection key, and their status.
 */
package dev.polymux.registry.installation;
