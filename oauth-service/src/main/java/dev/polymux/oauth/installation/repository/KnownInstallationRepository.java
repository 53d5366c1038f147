package dev.polymux.oauth.installation.repository;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.oauth.installation.KnownInstallation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

@ApplicationScoped
public class KnownInstallationRepository implements PanacheRepositoryBase<KnownInstallation, String> {
}
