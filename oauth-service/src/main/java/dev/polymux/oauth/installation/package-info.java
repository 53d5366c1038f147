/** The oauth installations this service runs grants for, projected from the registry's installation events. */
package dev.polymux.oauth.installation;
