package dev.polymux.dispatch.command.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.polymux.dispatch.command.config.CommandActionConfig;

/**
 * The bubblewrap sandbox every {@code polymux.command} run starts in.
 * <p>
 * The program runs as the dispatcher's own user, so without it, it could read {@code /proc/<pid>/environ} of the
 * dispatcher (database password, service tokens) and of the other runs (other tenants' keys), and the dispatcher's
 * files (configuration, a Kubernetes service-account token). Inside: its own pid, IPC, UTS and user namespaces
 * (the other processes do not exist for it), a fresh {@code /proc}, {@code /usr} and the name-resolution and
 * certificate files of {@code /etc} read-only, an empty {@code /tmp}, its own working directory as the only writable
 * place, no capabilities, no further user namespace, a new session (no terminal injection), and it dies with the
 * dispatcher. The network is shared: a CLI exists to call its provider.
 */
final class CommandSandbox {

    /** Where the run's working directory appears inside the sandbox; also its HOME. */
    static final String HOME = "/home/polymux";

    /**
     * The files of /etc that a CLI needs to resolve names, speak TLS and know its user; nothing else of /etc. The
     * certificate directories only, never /etc/ssl or /etc/pki whole: private keys are mounted beside them.
     */
    private static final List<String> ETC = List.of("/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/etc/ca-certificates",
            "/etc/pki/tls/certs", "/etc/pki/ca-trust/extracted", "/etc/resolv.conf",
            "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf", "/etc/passwd", "/etc/group",
            "/etc/localtime", "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d");

    /** The most a run may write to its /tmp (memory of the dispatcher's pod). */
    private static final String TMP_BYTES = Long.toString(64L * 1024 * 1024);

    /** Top-level directories that are links into /usr on merged-/usr systems, or directories of their own elsewhere. */
    private static final List<String> ROOT_LINKS = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

    private final CommandActionConfig config;
    private volatile String brokenBecause;
    private volatile boolean probed;

    CommandSandbox(CommandActionConfig config) {
        this.config = config;
    }

    /** Why runs cannot be sandboxed here, from what can be seen without starting anything; null if they may be. */
    String missing() {
        if (!Files.isExecutable(Path.of(config.sandbox()))) {
            return "polymux.command runs only inside its sandbox, and bubblewrap (" + config.sandbox()
                    + ", polymux.dispatch.command.sandbox) is not installed on this dispatcher.";
        }
        return probed ? brokenBecause : null;
    }

    /**
     * Why runs cannot be sandboxed here, after starting the sandbox once with nothing in it (a kernel or container
     * without user namespaces refuses it); null if they can. Blocking: call it off the event loop.
     */
    String broken() {
        String missing = missing();
        if (missing != null || probed) {
            return missing;
        }
        synchronized (this) {
            if (!probed) {
                brokenBecause = probe();
                probed = true;
            }
        }
        return brokenBecause;
    }

    private String probe() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("polymux-sandbox-probe-");
            Process process = new ProcessBuilder(command(List.of("/usr/bin/true"), dir)).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "polymux.command's sandbox (bubblewrap) did not start within 10 s on this dispatcher.";
            }
            if (process.exitValue() != 0) {
                String said = new String(process.getInputStream().readNBytes(300), StandardCharsets.UTF_8).strip();
                return "polymux.command's sandbox (bubblewrap) cannot start on this dispatcher (" + said
                        + "); it needs user namespaces, or a container allowed to create them.";
            }
            return null;
        } catch (IOException e) {
            return "polymux.command's sandbox (bubblewrap) could not be started (" + e.getClass().getSimpleName() + ").";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "polymux.command's sandbox check was interrupted.";
        } finally {
            if (dir != null) {
                dir.toFile().delete();
            }
        }
    }

    /** The command line that runs {@code argv} in the sandbox, with {@code workDir} as its home and working directory. */
    List<String> command(List<String> argv, Path workDir) {
        List<String> command = new ArrayList<>(List.of(config.sandbox(),
                // A user namespace of its own, and no further one: a new namespace would give the program root inside
                // it and the kernel's namespace-only attack surface.
                "--unshare-all", "--unshare-user", "--disable-userns", "--share-net", "--die-with-parent", "--new-session",
                "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev", "--size", TMP_BYTES, "--tmpfs", "/tmp",
                "--ro-bind", "/usr", "/usr"));
        for (String top : ROOT_LINKS) {
            Path path = Path.of(top);
            try {
                if (Files.isSymbolicLink(path)) {
                    command.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), top));
                } else if (Files.isDirectory(path)) {
                    command.addAll(List.of("--ro-bind", top, top));
                }
            } catch (IOException unreadable) {
                // a link that cannot be read is left out: the programs under /usr do not need it
            }
        }
        for (String etc : ETC) {
            command.addAll(List.of("--ro-bind-try", etc, etc));
        }
        for (String extra : config.readOnlyPaths().orElse(List.of())) {
            command.addAll(List.of("--ro-bind-try", extra, extra));
        }
        String program = argv.getFirst();
        if (!program.startsWith("/usr/") && ROOT_LINKS.stream().noneMatch(top -> program.startsWith(top + "/"))) {
            // A program outside /usr (e.g. /opt/acme/acme) is shown on its own, read-only.
            command.addAll(List.of("--ro-bind", program, program));
        }
        command.addAll(List.of("--bind", workDir.toString(), HOME, "--chdir", HOME, "--"));
        command.addAll(argv);
        return command;
    }
}
