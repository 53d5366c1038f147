package dev.polymux.oauth.setup;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/**
 * The last check of one setup step of an integration installation: passed or not, the sentence shown, and what the
 * step created at the provider (identifiers as JSON, never secrets), which uninstalling removes.
 */
@Entity
@Table(name = "setup_step_result")
@IdClass(SetupStepResult.Key.class)
public class SetupStepResult {

    public static class Key implements Serializable {
        public String installationId;
        public String stepId;

        public Key() {
        }

        public Key(String installationId, String stepId) {
            this.installationId = installationId;
            this.stepId = stepId;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.installationId.equals(installationId) && key.stepId.equals(stepId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(installationId, stepId);
        }
    }

    @Id
    @Column(name = "installation_id")
    public String installationId;

    @Id
    @Column(name = "step_id")
    public String stepId;

    @Column(nullable = false)
    public boolean passed;

    @Column(nullable = false)
    public String message;

    @Column(name = "created_json", nullable = false)
    public String createdJson = "{}";

    @Column(name = "checked_by", nullable = false)
    public String checkedBy;

    @Column(name = "checked_at", nullable = false)
    public Instant checkedAt;

    @Column(name = "undone_at")
    public Instant undoneAt;
}
