package dev.polymux.testing.reactive;

import java.util.function.Supplier;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/** Runs reactive (Hibernate Reactive Panache) work from a test thread the way a request would: on a Vert.x context. */
public final class OnVertxContext {

    private OnVertxContext() {
    }

    /** Subscribes on a Vert.x context and waits for the item; failures are rethrown unchecked. */
    public static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
