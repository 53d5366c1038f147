package dev.polymux.dispatch.command.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The built-in {@code polymux.command} action, off unless the operator turns it on: which programs vault entries may
 * run (by the name the entry gives, mapped to an absolute path here), and the bounds of every run.
 */
@ConfigMapping(prefix = "polymux.dispatch.command")
public interface CommandActionConfig {

    /** Whether polymux.command runs at all. Env: POLYMUX_DISPATCH_COMMAND_ENABLED. */
    @WithDefault("false")
    boolean enabled();

    /**
     * The allow list: an entry's {@code executable} name to the absolute path run for it, e.g.
     * {@code polymux.dispatch.command.executables.curl=/usr/bin/curl} (a property, e.g. in a mounted
     * application.properties: a map's keys cannot be told apart in environment variable names).
     */
    Map<String, String> executables();

    /**
     * The bubblewrap program each run is started inside (Debian's and most distributions' package {@code bubblewrap}).
     * Without a working sandbox the action refuses to run: a program of the dispatcher's own user could otherwise read
     * the dispatcher's environment and files and those of other runs. Env: POLYMUX_DISPATCH_COMMAND_SANDBOX.
     */
    @WithDefault("/usr/bin/bwrap")
    String sandbox();

    /**
     * More paths the sandbox shows read-only, for a program installed outside {@code /usr} with files beside it
     * (e.g. {@code /opt/acme}). {@code /usr}, the certificates and the name-resolution files of {@code /etc}, and each
     * allowed program itself are always there. Env: POLYMUX_DISPATCH_COMMAND_READ_ONLY_PATHS (comma-separated).
     */
    Optional<List<String>> readOnlyPaths();

    /** The longest one run may take (the call's deadline may cut it shorter). Env: POLYMUX_DISPATCH_COMMAND_TIMEOUT. */
    @WithDefault("30s")
    Duration timeout();

    /** Standard output kept, in bytes; a program that writes more is stopped (OUTPUT_TOO_LARGE). Env: POLYMUX_DISPATCH_COMMAND_MAX_OUTPUT_BYTES. */
    @WithDefault("262144")
    int maxOutputBytes();

    /** Standard error kept, in bytes (the rest is read and dropped). Env: POLYMUX_DISPATCH_COMMAND_MAX_ERROR_BYTES. */
    @WithDefault("8192")
    int maxErrorBytes();

    /** Programs running at once on this replica; more calls wait their turn. Env: POLYMUX_DISPATCH_COMMAND_MAX_CONCURRENT. */
    @WithDefault("4")
    int maxConcurrent();
}
