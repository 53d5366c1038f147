package dev.polymux.oauth.setup;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A short bound for a setup step's check and undo, so that tests of a step that never answers end soon. */
public class SetupCheckTimeout implements QuarkusTestResourceLifecycleManager {

    public static final int SECONDS = 3;

    @Override
    public Map<String, String> start() {
        return Map.of("polymux.setup.check-timeout", SECONDS + "s");
    }

    @Override
    public void stop() {
    }
}
