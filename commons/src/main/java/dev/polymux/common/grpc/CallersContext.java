package dev.polymux.common.grpc;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * gRPC client answers arrive on the client's own event loop; a caller in the middle of reactive Hibernate work
 * must carry on on its own Vert.x context, where its sessions live.
 */
public final class CallersContext {

    private CallersContext() {
    }

    /** {@code call}, with its item or failure delivered on the subscriber's Vert.x context (if it has one). */
    public static <T> Uni<T> backOnCallersContext(Uni<T> call) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            return caller == null ? call : call.emitOn(command -> caller.runOnContext(ignored -> command.run()));
        });
    }
}
