package dev.polymux.vault.crypto;

import java.util.concurrent.Callable;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Runs key operations off the event loop: the Transit backend calls Vault over the network, and even local Tink work
 * should not delay other requests. The result comes back on the caller's Vert.x context, so a reactive Hibernate
 * session or transaction carries on where it was.
 */
@ApplicationScoped
public class CryptoWork {

    private final Vertx vertx;

    public CryptoWork(Vertx vertx) {
        this.vertx = vertx;
    }

    public <T> Uni<T> run(Callable<T> work) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CryptoFailure(e);
            }
        }), false);
    }

    /** A checked crypto failure carried through Mutiny; {@link #getCause()} is the original. */
    public static final class CryptoFailure extends RuntimeException {
        CryptoFailure(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }
}
