package dev.polymux.console.installation.service;

import java.util.List;

/** The Installations page: the tenant's plugins with their connections, and what just happened (or was refused). */
public record InstallationsPage(List<PluginGroup> groups, String problem, String notice) {
}
