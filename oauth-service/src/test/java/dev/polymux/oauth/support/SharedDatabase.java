package dev.polymux.oauth.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.polymux.testing.postgres.PostgresResource;

/**
 * {@link PostgresResource} (a fresh database for the app under test, dropped when it stops) that also tells which
 * database that is, so that a second replica ({@link OAuthReplica}) can run over the very same one. The replicas
 * that share it are stopped before it is dropped, whatever order the resources are stopped in.
 */
public class SharedDatabase extends PostgresResource {

    private static volatile String name;
    private static final List<Runnable> SHARERS = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        String url = config.get("quarkus.datasource.jdbc.url");
        name = url.substring(url.lastIndexOf('/') + 1);
        return config;
    }

    @Override
    public void stop() {
        SHARERS.forEach(Runnable::run);
        SHARERS.clear();
        super.stop();
        name = null;
    }

    /** Runs {@code stop} (a replica's) before the database is dropped. */
    static void sharedBy(Runnable stop) {
        SHARERS.add(stop);
    }

    /** The app under test's database, once this resource started. */
    public static String name() {
        if (name == null) {
            throw new IllegalStateException("SharedDatabase has not started; list it before the replicas that share it");
        }
        return name;
    }
}
