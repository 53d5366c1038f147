package dev.polymux.common.reactive;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs a piece of reactive work on a Vert.x context of its own. Hibernate Reactive keeps one session per context,
 * so work fanned out concurrently from one context (a scheduler round refreshing 16 grants at once) would share,
 * and close under each other, one session. Each piece here gets its own; the result comes back on the caller's
 * context.
 */
@ApplicationScoped
public class SeparateContexts {

    private final Vertx vertx;

    public SeparateContexts(Vertx vertx) {
        this.vertx = vertx;
    }

    public <T> Uni<T> run(Supplier<Uni<T>> work) {
        return Uni.createFrom().<T>emitter(emitter -> {
            Context own = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(own, true);
            own.runOnContext(ignored -> work.get().subscribe().with(emitter::complete, emitter::fail));
        }).emitOn(command -> {
            Context caller = Vertx.currentContext();
            if (caller == null) {
                command.run();
            } else {
                caller.runOnContext(ignored -> command.run());
            }
        });
    }
}
