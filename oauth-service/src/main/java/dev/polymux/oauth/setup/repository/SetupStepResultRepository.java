package dev.polymux.oauth.setup.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.polymux.oauth.setup.SetupStepResult;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class SetupStepResultRepository implements PanacheRepositoryBase<SetupStepResult, SetupStepResult.Key> {

    public Uni<List<SetupStepResult>> ofInstallation(String installationId) {
        return list("installationId", installationId);
    }
}
