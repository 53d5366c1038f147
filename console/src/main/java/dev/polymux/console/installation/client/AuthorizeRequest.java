package dev.polymux.console.installation.client;

/** Where oauth-service sends the browser back after the provider: the console's Installations page. */
public record AuthorizeRequest(String returnUrl) {
}
