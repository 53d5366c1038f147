package dev.polymux.dispatch.command.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.ToolOutcome;
import dev.polymux.dispatch.command.config.CommandActionConfig;
import io.smallrye.mutiny.Uni;

/**
 * The built-in {@code polymux.command} action: runs the program a vault entry's {@code command} block names, from
 * the operator's allow list, for CLIs that take their key as a flag or a variable.
 * <p>
 * No shell: the argument list is the entry's template with each {@code {name}} replaced by the workflow's argument
 * of that name inside its one argument (never split, never a new flag). The stored values never appear in the
 * arguments: they reach the program only through its environment and its standard input. Every run is inside its
 * own sandbox ({@link CommandSandbox}), where the dispatcher, the other runs and the dispatcher's files do not exist;
 * without a working sandbox nothing runs. The environment is scrubbed (only PATH, HOME, LANG and the entry's
 * variables), the working directory is a fresh empty one, the run is stopped at its timeout or the call's deadline,
 * whichever comes first, and at the output cap. Runs are blocking I/O, so they go to virtual threads, at most
 * {@code max-concurrent} at a time.
 */
@ApplicationScoped
public class CommandAction {

    public static final String ACTION = "polymux.command";

    /** The workflow's arguments: named values for the template's placeholders. */
    public static final String INPUT_SCHEMA_JSON = """
            {"type":"object","maxProperties":32,
             "propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]{0,62}$"},
             "additionalProperties":{"type":["string","number","boolean"],"maxLength":4096}}""";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final int MESSAGE_EXCERPT = 300;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(CommandAction.class);

    private final CommandActionConfig config;
    private final ObjectMapper mapper;
    private final Semaphore running;
    private final CommandSandbox sandbox;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Starts every process, and lives as long as the dispatcher: the sandbox dies with the thread that started it
     * (--die-with-parent), and a virtual thread's carrier may retire while the program still runs.
     */
    private final ExecutorService launcher = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("polymux-command-launcher").daemon().factory());

    public CommandAction(CommandActionConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        this.running = new Semaphore(Math.max(1, config.maxConcurrent()));
        this.sandbox = new CommandSandbox(config);
    }

    /**
     * Why this entry's command cannot run here (the action is off, its sandbox is missing, or its program is not on the
     * allow list); null if it can.
     */
    public String refusal(JsonNode command) {
        if (!config.enabled()) {
            return "The operator has not enabled " + ACTION + " on this dispatcher (polymux.dispatch.command.enabled).";
        }
        String noSandbox = sandbox.missing();
        if (noSandbox != null) {
            return noSandbox;
        }
        String executable = command.path("executable").asText();
        if (!config.executables().containsKey(executable)) {
            return "The program '" + executable + "' is not on this dispatcher's allow list (polymux.dispatch.command.executables).";
        }
        return null;
    }

    public Uni<ToolOutcome> run(JsonNode command, JsonNode args, Credentials credentials, DispatchContext context) {
        String refused = refusal(command);
        if (refused != null) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, refused));
        }
        List<String> argv = new ArrayList<>();
        argv.add(config.executables().get(command.path("executable").asText()));
        List<String> problems = new ArrayList<>();
        for (JsonNode template : command.path("args")) {
            argv.add(argument(template.asText(), args, problems));
        }
        if (!problems.isEmpty()) {
            return Uni.createFrom().item(new ToolOutcome.BadArguments("Some arguments of " + ACTION + " are missing or not allowed", problems));
        }
        if (!(credentials instanceof Credentials.Fields fields)) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, ACTION + " runs only with a vault connection's stored values."));
        }
        Map<String, String> environment;
        String stdin;
        try {
            environment = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> variable : command.path("env").properties()) {
                if (!dev.polymux.connector.manifest.ManifestValidator.commandMaySet(variable.getKey())) {
                    // Review refuses it; an entry approved before that rule must not set it either.
                    return Uni.createFrom().item(new ToolOutcome.Failed(0, "The command's variable " + variable.getKey()
                            + " would redirect the program or load code; it is not set, and the command does not run."));
                }
                environment.put(variable.getKey(), stored(variable.getValue().asText(), fields));
            }
            stdin = command.hasNonNull("stdin") ? stored(command.get("stdin").asText(), fields) : null;
        } catch (MissingField missing) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, missing.getMessage()));
        }
        Duration timeout = context.remaining(Instant.now());
        if (timeout.compareTo(config.timeout()) > 0) {
            timeout = config.timeout();
        }
        if (timeout.isZero()) {
            return Uni.createFrom().item(new ToolOutcome.Failed(0, "The call's deadline passed before the command could start"));
        }
        Duration budget = timeout;
        return Uni.createFrom().completionStage(() -> java.util.concurrent.CompletableFuture.supplyAsync(
                () -> runBlocking(argv, environment, stdin, budget, command.path("executable").asText()), threads));
    }

    private ToolOutcome runBlocking(List<String> argv, Map<String, String> environment, String stdin, Duration timeout, String name) {
        Instant until = Instant.now().plus(timeout);
        try {
            if (!running.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return new ToolOutcome.RetriableFailure(0, java.util.Optional.empty(), "Every command slot of this dispatcher stayed busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ToolOutcome.RetriableFailure(0, java.util.Optional.empty(), "The command was interrupted before it started");
        }
        Path workDir = null;
        Process process = null;
        try {
            String broken = sandbox.broken();
            if (broken != null) {
                return new ToolOutcome.Failed(0, broken);
            }
            workDir = Files.createTempDirectory("polymux-command-");
            ProcessBuilder builder = new ProcessBuilder(sandbox.command(argv, workDir)).directory(workDir.toFile());
            Map<String, String> env = builder.environment();
            env.clear(); // nothing of the dispatcher's own environment (its database password, its tokens) reaches the program
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.put("HOME", CommandSandbox.HOME);
            env.put("LANG", "C.UTF-8");
            env.putAll(environment);
            process = start(builder);
            Process started = process;
            // Past the output cap the program is stopped at once: the result would be refused anyway.
            Future<Capture> out = threads.submit(() -> capture(started.getInputStream(), config.maxOutputBytes(), () -> stop(started)));
            Future<Capture> err = threads.submit(() -> capture(started.getErrorStream(), config.maxErrorBytes(), () -> { }));
            // On a thread of its own: a program that never reads a large input must still meet its timeout.
            threads.submit(() -> feed(started.getOutputStream(), stdin));
            boolean finished = process.waitFor(Math.max(1, Duration.between(Instant.now(), until).toMillis()), TimeUnit.MILLISECONDS);
            if (!finished) {
                stop(process);
                if (out.get(5, TimeUnit.SECONDS).cut()) {
                    return tooLarge(name);
                }
                return new ToolOutcome.Failed(0, "The command " + name + " did not finish within " + timeout.toSeconds() + " s; it was stopped");
            }
            Capture stdout = out.get(5, TimeUnit.SECONDS);
            Capture stderr = err.get(5, TimeUnit.SECONDS);
            if (stdout.cut()) {
                return tooLarge(name);
            }
            int exit = process.exitValue();
            if (exit != 0) {
                return new ToolOutcome.Failed(0, "The command " + name + " exited with status " + exit + excerpt(stderr.text()));
            }
            ObjectNode output = JsonNodeFactory.instance.objectNode().put("exitCode", exit);
            output.set("stdout", parsed(stdout.text()));
            output.put("stderr", stderr.text());
            return new ToolOutcome.Success(output);
        } catch (IOException e) {
            return new ToolOutcome.Failed(0, "The command " + name + " could not be started (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ToolOutcome.RetriableFailure(0, java.util.Optional.empty(), "The command " + name + " was interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new ToolOutcome.Failed(0, "The output of the command " + name + " could not be read (" + e.getClass().getSimpleName() + ")");
        } finally {
            if (process != null && process.isAlive()) {
                stop(process);
            }
            running.release();
            delete(workDir);
        }
    }

    private Process start(ProcessBuilder builder) throws IOException, InterruptedException {
        try {
            return launcher.submit(builder::start).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private static void feed(OutputStream input, String stdin) {
        try (input) {
            if (stdin != null) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException closedEarly) {
            // The program did not read its input (it exited or closed it): its exit status tells what happened.
        }
    }

    private ToolOutcome tooLarge(String name) {
        return new ToolOutcome.Failed(0, "The command " + name + " wrote more than " + config.maxOutputBytes()
                + " bytes to its standard output; it was stopped", ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE);
    }

    /**
     * What a stream said, up to a cap. Past it {@code onCut} runs once and the rest is drained and dropped, so the
     * program never blocks on a full pipe.
     */
    private record Capture(String text, boolean cut) {
    }

    private static Capture capture(InputStream stream, int cap, Runnable onCut) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        boolean cut = false;
        try (stream) {
            for (int read; (read = stream.read(chunk)) >= 0;) {
                int room = cap - kept.size();
                if (read > room && !cut) {
                    cut = true;
                    onCut.run();
                }
                kept.write(chunk, 0, Math.max(0, Math.min(read, room)));
            }
        } catch (IOException closed) {
            // The program was stopped (cap or timeout) while it wrote: what was read so far is all there is.
        }
        return new Capture(kept.toString(StandardCharsets.UTF_8), cut);
    }

    /** One template argument with its placeholders filled by the workflow's values; never a new flag. */
    private static String argument(String template, JsonNode args, List<String> problems) {
        Matcher placeholders = PLACEHOLDER.matcher(template);
        StringBuilder text = new StringBuilder();
        while (placeholders.find()) {
            String name = placeholders.group(1);
            JsonNode value = args.get(name);
            if (value == null || value.isNull() || value.asText().isEmpty()) {
                problems.add("/" + name + ": is needed by the command's arguments");
            } else if (placeholders.start() == 0 && value.asText().startsWith("-")) {
                problems.add("/" + name + ": must not start with '-' (it would become an option of the program)");
            } else if (placeholders.start() == 0 && value.asText().startsWith("@")) {
                // curl, httpie and others read "@file" as that file's content, and "@-" as standard input (the key).
                problems.add("/" + name + ": must not start with '@' (the program may read it as a file to send)");
            } else if (value.asText().indexOf('\0') >= 0) {
                problems.add("/" + name + ": must not contain a NUL character");
            } else {
                placeholders.appendReplacement(text, Matcher.quoteReplacement(value.asText()));
                continue;
            }
            placeholders.appendReplacement(text, "");
        }
        placeholders.appendTail(text);
        return text.toString();
    }

    private static final class MissingField extends RuntimeException {
        MissingField(String message) {
            super(message, null, false, false);
        }
    }

    /** A template over the stored fields (env, stdin). */
    private static String stored(String template, Credentials.Fields fields) {
        Matcher placeholders = PLACEHOLDER.matcher(template);
        StringBuilder text = new StringBuilder();
        while (placeholders.find()) {
            String name = placeholders.group(1);
            String value = fields.field(name).map(Secret::reveal).orElseThrow(() -> new MissingField(
                    "The connection has no stored field '" + name + "', which its command needs; store it first."));
            placeholders.appendReplacement(text, Matcher.quoteReplacement(value));
        }
        placeholders.appendTail(text);
        return text.toString();
    }

    private JsonNode parsed(String stdout) {
        String trimmed = stdout.strip();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            try {
                return mapper.readTree(trimmed);
            } catch (IOException notJson) {
                // plain text that happens to start with a bracket
            }
        }
        return JsonNodeFactory.instance.textNode(stdout);
    }

    private static String excerpt(String stderr) {
        String line = stderr.strip().replaceAll("\\s+", " ");
        if (line.isEmpty()) {
            return "";
        }
        return ": " + (line.length() > MESSAGE_EXCERPT ? line.substring(0, MESSAGE_EXCERPT) + "..." : line);
    }

    /** The program and whatever it started (the sandbox's pid namespace ends with its first process, too). */
    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The run's work directory, whatever the program left in it (a CLI's cached login too), even what it locked. */
    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.filter(Files::isDirectory).forEach(path -> path.toFile().setExecutable(true, true));
        } catch (IOException | java.io.UncheckedIOException locked) {
            // a directory the walk cannot enter is opened below, level by level
        }
        for (int level = 0; level < 64 && Files.exists(dir); level++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                    java.io.File file = path.toFile();
                    file.setReadable(true, true);
                    file.setWritable(true, true);
                    file.setExecutable(true, true);
                    file.delete();
                });
            } catch (IOException | java.io.UncheckedIOException locked) {
                // another level is opened on the next pass
            }
        }
        if (Files.exists(dir)) {
            LOG.warnf("The work directory of a command run could not be removed: %s", dir);
        }
    }

    @PreDestroy
    void stop() {
        threads.shutdownNow();
        launcher.shutdownNow();
    }
}
