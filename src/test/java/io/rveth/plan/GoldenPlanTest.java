package io.rveth.plan;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rveth.Main;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden cases for the planner, driven through the CLI, without root. Each folder under
 * {@code src/test/resources/golden/} is a case: {@code rveth plan -f <case>/manifest.yaml
 * --live <case>/live.json --no-color} must print exactly {@code plan.txt}, the same with
 * {@code -o json} exactly {@code plan.json} (compared byte for byte), and plan.json must
 * pass schema/plan.schema.json.
 *
 * <p>{@code live.json} is a real snapshot ({@code rveth snapshot}) of a live state built on
 * the kernel with {@code rveth apply} and {@code ip}; {@code golden/record.sh} records it (as
 * root) for every case, and {@code build.yaml}, where a case has one, is the manifest the
 * live state was built with. Never edit live.json by hand.
 *
 * <p>When the plan output changes on purpose, rewrite every plan.txt and plan.json from the
 * current code instead of comparing, then review the diff like any other change:
 * <pre>
 *   mvn test -Dtest=GoldenPlanTest -Drveth.golden.update=true
 * </pre>
 * Paths are passed relative to the project directory (the tests' working directory), so
 * plan.json's {@code manifests} and {@code live_source} do not depend on where the checkout
 * lives. plan.json also holds {@code tool_version}: a version bump needs an update run.
 */
class GoldenPlanTest {
    static final String GOLDEN = "src/test/resources/golden";
    static final boolean UPDATE = Boolean.getBoolean("rveth.golden.update");

    @BeforeAll
    static void runsInTheProjectDirectory() {
        assertEquals(PlanSchema.projectDir(), Path.of("").toAbsolutePath().normalize(),
                "golden tests pass paths relative to the project directory; run them from there (mvn does)");
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of(GOLDEN))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.yaml")))
                    .map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    record Run(int exit, String out, String err) {
    }

    static Run rveth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code plan -f <case>/manifest.yaml --live <case>/live.json} and more arguments. */
    static List<String> plan(String name, String... more) {
        List<String> args = new ArrayList<>(List.of("plan", "-f", GOLDEN + "/" + name + "/manifest.yaml",
                "--live", GOLDEN + "/" + name + "/live.json"));
        args.addAll(List.of(more));
        return args;
    }

    static String planned(String name, String... more) {
        Run run = rveth(plan(name, more).toArray(String[]::new));
        assertEquals(0, run.exit(), name + ": plan failed\n" + run.err());
        assertEquals("", run.err(), name + ": plan wrote to stderr");
        return run.out();
    }

    /** Byte for byte; or, in update mode, writes {@code actual} there. */
    static void assertSameBytes(Path expected, String actual) throws IOException {
        if (UPDATE) {
            Files.writeString(expected, actual, UTF_8);
            return;
        }
        assertTrue(Files.exists(expected), expected + " is missing; write it with -Drveth.golden.update=true");
        byte[] want = Files.readAllBytes(expected);
        if (!Arrays.equals(want, actual.getBytes(UTF_8))) {
            assertEquals(new String(want, UTF_8), actual,
                    expected + " differs; if the change is intended, rewrite it with -Drveth.golden.update=true and review the diff");
            fail(expected + " differs in bytes that do not show as text");
        }
    }

    @Test
    void theCasesAreThere() throws IOException {
        List<String> cases = cases().toList();
        assertTrue(cases.containsAll(List.of("from-scratch", "converged", "add-address", "remove-container", "mtu-change",
                "prefix-change", "route-drift")), cases.toString());
        for (String c : cases) {
            for (String f : List.of("live.json", "plan.txt", "plan.json")) {
                assertTrue(Files.isRegularFile(Path.of(GOLDEN, c, f)), c + "/" + f + " is missing");
            }
        }
    }

    @ParameterizedTest(name = "{0}: plan.txt")
    @MethodSource("cases")
    void textPlanIsAsRecorded(String name) throws IOException {
        assertSameBytes(Path.of(GOLDEN, name, "plan.txt"), planned(name, "--no-color"));
    }

    @ParameterizedTest(name = "{0}: plan.json")
    @MethodSource("cases")
    void jsonPlanIsAsRecordedAndPassesTheSchema(String name) throws IOException {
        String json = planned(name, "-o", "json");
        assertSameBytes(Path.of(GOLDEN, name, "plan.json"), json);
        PlanSchema.assertValid(PlanSchema.parseSingleDocument(json), name + "/plan.json");
    }

    @Test
    void theConvergedCaseIsAnEmptyPlan() {
        assertEquals("No changes. Live state matches the manifest.\n", planned("converged"));
        assertEquals(0, rveth(plan("converged", "--detailed-exitcode").toArray(String[]::new)).exit());
        assertEquals(2, rveth(plan("route-drift", "--detailed-exitcode").toArray(String[]::new)).exit());
    }

    // ---- plan --live runs no ip ---------------------------------------------------------------

    /**
     * plan --live needs no root because it never runs {@code ip}: rveth runs here in its own
     * JVM with a fake {@code ip}, as RVETH_IP and first on PATH, that notes every call and fails.
     */
    @Test
    void planAgainstASnapshotRunsNoIp(@TempDir Path tmp) throws Exception {
        Path calls = fakeIp(tmp);
        for (String name : List.of("from-scratch", "remove-container")) {
            Run run = rvethProcess(tmp, plan(name, "--no-color"));
            assertEquals(0, run.exit(), name + ": " + run.err());
            assertEquals(Files.readString(Path.of(GOLDEN, name, "plan.txt")), run.out(), name);
        }
        assertFalse(Files.exists(calls), "plan --live ran ip: " + (Files.exists(calls) ? Files.readString(calls) : ""));
    }

    /** The control for the test above: without --live, the fake ip is called (and fails). */
    @Test
    void theFakeIpIsNoticed(@TempDir Path tmp) throws Exception {
        Path calls = fakeIp(tmp);
        Run run = rvethProcess(tmp, List.of("plan", "-f", GOLDEN + "/converged/manifest.yaml"));
        assertEquals(1, run.exit(), run.err());
        assertTrue(Files.exists(calls), "the fake ip was not called");
    }

    /** An {@code ip} in {@code dir} that appends its arguments to {@code dir/calls} and fails. */
    static Path fakeIp(Path dir) throws IOException {
        Path ip = dir.resolve("ip");
        Files.writeString(ip, "#!/bin/sh\necho \"$*\" >>'" + dir.resolve("calls") + "'\necho 'fake ip' >&2\nexit 1\n");
        Files.setPosixFilePermissions(ip, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.resolve("calls");
    }

    /** rveth in a JVM of its own, from the project directory, with the fake ip in {@code dir}. */
    static Run rvethProcess(Path dir, List<String> args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        argv.addAll(args);
        Path stderr = dir.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(stderr.toFile());
        pb.environment().put("RVETH_IP", dir.resolve("ip").toString());
        pb.environment().put("PATH", dir + File.pathSeparator + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return new Run(p.exitValue(), out, Files.readString(stderr));
    }
}
