package dev.polymux.vault.installation.repository;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.vault.installation.KnownInstallation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

@ApplicationScoped
public class KnownInstallationRepository implements PanacheRepositoryBase<KnownInstallation, String> {
}
