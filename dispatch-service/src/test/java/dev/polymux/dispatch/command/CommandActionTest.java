package dev.polymux.dispatch.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.ToolOutcome;
import dev.polymux.dispatch.command.config.CommandActionConfig;
import dev.polymux.dispatch.command.service.CommandAction;

/** The bounds of polymux.command with real programs: environment, arguments, timeout, output cap, allow list. */
class CommandActionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Credentials KEY = Credentials.fields(Map.of("value", Secret.of("sk_live_commandsecret")));

    private final CommandAction action = new CommandAction(config(true, Duration.ofSeconds(1), 4096), JSON);

    @Test
    void theProgramSeesOnlyAScrubbedEnvironmentAndTheEntrysVariables() throws Exception {
        ToolOutcome outcome = run("{\"executable\":\"env\",\"env\":{\"ACME_KEY\":\"{value}\"}}", "{}");

        String environment = assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("stdout").asText();
        assertTrue(environment.contains("ACME_KEY=sk_live_commandsecret"), environment);
        assertTrue(environment.contains("PATH=/usr/local/bin:/usr/bin:/bin"), environment);
        assertFalse(environment.contains("JAVA_HOME") || environment.contains("MAVEN") || environment.contains("POLYMUX"),
                "nothing of the dispatcher's environment: " + environment);
        assertTrue(environment.contains("HOME=/home/polymux"), "the sandbox's own home: " + environment);
        assertEquals(5, environment.strip().split("\n").length, "PATH, HOME, PWD, LANG and the entry's variable: " + environment);
    }

    @Test
    void aWorkflowValueFillsOneArgumentAndCannotBecomeAnOption() throws Exception {
        ToolOutcome echoed = run("{\"executable\":\"echo\",\"args\":[\"{word}\"]}", "{\"word\":\"two words; rm -rf /\"}");
        ToolOutcome flag = run("{\"executable\":\"echo\",\"args\":[\"{word}\"]}", "{\"word\":\"-e\"}");
        ToolOutcome missing = run("{\"executable\":\"echo\",\"args\":[\"{word}\"]}", "{}");

        assertEquals("two words; rm -rf /\n", assertInstanceOf(ToolOutcome.Success.class, echoed).output().path("stdout").asText());
        assertInstanceOf(ToolOutcome.BadArguments.class, flag);
        assertInstanceOf(ToolOutcome.BadArguments.class, missing);
    }

    @Test
    void aProgramThatOutrunsItsTimeoutIsStopped() throws Exception {
        Instant started = Instant.now();
        ToolOutcome outcome = run("{\"executable\":\"sleep\",\"args\":[\"{seconds}\"]}", "{\"seconds\":\"30\"}");

        assertTrue(assertInstanceOf(ToolOutcome.Failed.class, outcome).message().contains("did not finish within 1 s"), outcome.toString());
        assertTrue(Duration.between(started, Instant.now()).toSeconds() < 10, "stopped, not waited for");
    }

    @Test
    void aProgramThatWritesPastTheCapIsStoppedAndReportedTooLarge() throws Exception {
        ToolOutcome outcome = run("{\"executable\":\"yes\"}", "{}");

        assertEquals(ToolOutcome.Failed.Reason.OUTPUT_TOO_LARGE, assertInstanceOf(ToolOutcome.Failed.class, outcome).reason(), outcome.toString());
    }

    @Test
    void theStoredValueReachesStandardInputAndJsonOutputIsParsed() throws Exception {
        ToolOutcome outcome = run("{\"executable\":\"cat\",\"stdin\":\"{\\\"key\\\":\\\"{value}\\\"}\"}", "{}");

        assertEquals("sk_live_commandsecret", assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("stdout").path("key").asText());
    }

    @Test
    void onlyAllowedProgramsRunAndOnlyWhereTheOperatorEnabledTheAction() throws Exception {
        JsonNode unknown = JSON.readTree("{\"executable\":\"bash\"}");
        assertTrue(action.refusal(unknown).contains("not on this dispatcher's allow list"));
        CommandAction off = new CommandAction(config(false, Duration.ofSeconds(1), 4096), JSON);
        assertTrue(off.refusal(JSON.readTree("{\"executable\":\"echo\"}")).contains("has not enabled"));
        assertInstanceOf(ToolOutcome.Failed.class, off.run(JSON.readTree("{\"executable\":\"echo\"}"), JSON.readTree("{}"), KEY, context())
                .await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void aProgramCannotReadTheDispatchersEnvironment() throws Exception {
        // The dispatcher's environment holds its database password and service tokens; same user, so only a
        // sandbox (its own pid namespace) keeps /proc/<dispatcher>/environ out of reach.
        String dispatcher = Long.toString(ProcessHandle.current().pid());
        ToolOutcome outcome = run("{\"executable\":\"cat\",\"args\":[\"/proc/{pid}/environ\"]}", "{\"pid\":\"" + dispatcher + "\"}");

        assertInstanceOf(ToolOutcome.Failed.class, outcome, "the dispatcher's environment was readable: " + outcome);
    }

    @Test
    void aProgramCannotReadTheEnvironmentOfAnotherRun() throws Exception {
        CommandAction slow = new CommandAction(config(true, Duration.ofSeconds(8), 4096), JSON);
        Credentials otherTenant = Credentials.fields(Map.of("value", Secret.of("sk_live_othertenantsecret")));
        var sleeping = slow.run(JSON.readTree("{\"executable\":\"sleep\",\"args\":[\"{seconds}\"],\"env\":{\"ACME_KEY\":\"{value}\"}}"),
                JSON.readTree("{\"seconds\":\"6\"}"), otherTenant, context()).subscribeAsCompletionStage();
        long victim = awaitProgram("sleep");

        ToolOutcome outcome = run("{\"executable\":\"cat\",\"args\":[\"/proc/{pid}/environ\"]}", "{\"pid\":\"" + victim + "\"}");

        assertFalse(outcome.toString().contains("sk_live_othertenantsecret"), "another run's key was readable: " + outcome);
        assertInstanceOf(ToolOutcome.Failed.class, outcome, outcome.toString());
        sleeping.toCompletableFuture().cancel(true);
    }

    @Test
    void theDispatchersFilesAreOutOfSight() throws Exception {
        java.nio.file.Path secretFile = java.nio.file.Files.createTempFile("dispatcher-config-", ".properties");
        java.nio.file.Files.writeString(secretFile, "quarkus.datasource.password=dispatcher-db-password");
        try {
            ToolOutcome outcome = run("{\"executable\":\"cat\",\"args\":[\"{path}\"]}", "{\"path\":\"" + secretFile + "\"}");

            assertFalse(outcome.toString().contains("dispatcher-db-password"), "a file of the dispatcher was readable: " + outcome);
            assertInstanceOf(ToolOutcome.Failed.class, outcome, outcome.toString());
        } finally {
            java.nio.file.Files.delete(secretFile);
        }
    }

    @Test
    void withoutItsSandboxTheActionRefusesToRun() throws Exception {
        CommandAction unsandboxed = new CommandAction(config(true, Duration.ofSeconds(1), 4096, "/nonexistent/bwrap"), JSON);

        assertTrue(unsandboxed.refusal(JSON.readTree("{\"executable\":\"echo\"}")).contains("sandbox"));
        assertInstanceOf(ToolOutcome.Failed.class, unsandboxed.run(JSON.readTree("{\"executable\":\"echo\"}"), JSON.readTree("{}"), KEY, context())
                .await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void aProgramCannotMakeANamespaceOfItsOwn() throws Exception {
        // A new user namespace would give it root inside and the kernel's namespace-only attack surface.
        ToolOutcome outcome = run("{\"executable\":\"unshare\",\"args\":[\"-Ur\",\"true\"]}", "{}");

        assertInstanceOf(ToolOutcome.Failed.class, outcome, outcome.toString());
    }

    @Test
    void privateKeysBesideTheCertificatesAreOutOfSight() throws Exception {
        ToolOutcome certificates = run("{\"executable\":\"ls\",\"args\":[\"-d\",\"/etc/ssl/certs\"]}", "{}");
        ToolOutcome keys = run("{\"executable\":\"ls\",\"args\":[\"-d\",\"/etc/ssl/private\"]}", "{}");

        assertInstanceOf(ToolOutcome.Success.class, certificates, certificates.toString());
        assertInstanceOf(ToolOutcome.Failed.class, keys, keys.toString());
    }

    @Test
    void aWorkflowValueCannotMakeTheProgramReadAFile() throws Exception {
        // curl, httpie and others read "@file" (and "@-", standard input, where the key is) as the value's content.
        ToolOutcome outcome = run("{\"executable\":\"echo\",\"args\":[\"{body}\"]}", "{\"body\":\"@-\"}");

        assertInstanceOf(ToolOutcome.BadArguments.class, outcome, outcome.toString());
    }

    @Test
    void aWorkDirectoryTheProgramLockedIsStillRemoved() throws Exception {
        ToolOutcome outcome = run("{\"executable\":\"sh\",\"args\":[\"-c\",\"mkdir locked && touch locked/cache && chmod 000 locked && pwd\"]}", "{}");

        assertInstanceOf(ToolOutcome.Success.class, outcome, outcome.toString());
        try (var left = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(path -> path.getFileName().toString().startsWith("polymux-command-")
                    && java.nio.file.Files.exists(path.resolve("locked"))), "the work directory was left behind");
        }
    }

    /** The pid, as the dispatcher sees it, of a running program started by this test. */
    private static long awaitProgram(String name) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            var found = ProcessHandle.current().descendants()
                    .filter(process -> process.info().command().map(command -> command.endsWith("/" + name)).orElse(false))
                    .findFirst();
            if (found.isPresent()) {
                return found.get().pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " never started");
    }

    private ToolOutcome run(String command, String args) throws Exception {
        return action.run(JSON.readTree(command), JSON.readTree(args), KEY, context()).await().atMost(Duration.ofSeconds(20));
    }

    private static DispatchContext context() {
        return new DispatchContext("call-1", "acme", "inst-1", Instant.now().plusSeconds(20), null);
    }

    private static CommandActionConfig config(boolean enabled, Duration timeout, int maxOutput) {
        return config(enabled, timeout, maxOutput, "/usr/bin/bwrap");
    }

    private static CommandActionConfig config(boolean enabled, Duration timeout, int maxOutput, String sandbox) {
        return new CommandActionConfig() {
            @Override
            public String sandbox() {
                return sandbox;
            }

            @Override
            public java.util.Optional<java.util.List<String>> readOnlyPaths() {
                return java.util.Optional.empty();
            }

            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public Map<String, String> executables() {
                return Map.of("env", "/usr/bin/env", "echo", "/bin/echo", "sleep", "/bin/sleep", "yes", "/usr/bin/yes", "cat", "/bin/cat",
                        "unshare", "/usr/bin/unshare", "ls", "/bin/ls", "sh", "/bin/sh");
            }

            @Override
            public Duration timeout() {
                return timeout;
            }

            @Override
            public int maxOutputBytes() {
                return maxOutput;
            }

            @Override
            public int maxErrorBytes() {
                return 1024;
            }

            @Override
            public int maxConcurrent() {
                return 2;
            }
        };
    }
}
