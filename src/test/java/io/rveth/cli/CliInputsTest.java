package io.rveth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.Main;
import io.rveth.plan.Action;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import io.rveth.model.Netns;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -f as kubectl takes it, usage errors, and colour manners; no root needed. */
class CliInputsTest {
    static final String WEB = "version: 1\ncontainers:\n  web:\n    interfaces:\n      eth0: {addresses: [203.0.113.10/32]}\n";
    static final String DB = "version: 1\ncontainers:\n  db:\n    interfaces:\n      eth0: {addresses: [203.0.113.20/32]}\n";

    record Run(int exit, String out, String err) {
    }

    static Run rveth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aDirectoryMeansItsYamlFilesInOrder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("10-web.yaml"), WEB);
        Files.writeString(dir.resolve("20-db.yml"), DB);
        Files.writeString(dir.resolve("README.txt"), "not a manifest");
        Run r = rveth("validate", "-f", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("2 containers"), r.out());
        assertTrue(r.out().contains("10-web.yaml, " + dir.resolve("20-db.yml")), r.out());
    }

    @Test
    void repeatedFilesMergeAndADuplicateNamesBoth(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), WEB);
        Files.writeString(dir.resolve("b.yaml"), WEB);
        Run r = rveth("validate", "-f", dir.resolve("a.yaml").toString(), "-f", dir.resolve("b.yaml").toString());
        assertEquals(ExitCodes.INVALID_MANIFEST, r.exit(), r.toString());
        assertTrue(r.err().contains(dir.resolve("b.yaml") + ":3:3: container web is already defined at " + dir.resolve("a.yaml") + ":3"), r.err());
    }

    @Test
    void dashReadsStdin() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(WEB.getBytes(StandardCharsets.UTF_8)));
            Run r = rveth("validate", "-f", "-");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().startsWith("<stdin> is valid"), r.out());
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void anEmptyDirectoryAndAMissingFileAreUsageErrors(@TempDir Path dir) {
        assertEquals(ExitCodes.USAGE, rveth("validate", "-f", dir.toString()).exit());
        Run r = rveth("validate", "-f", dir.resolve("nope.yaml").toString());
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }

    @Test
    void aMistypedFlagIsNamedNotHiddenBehindMissingFilename() {
        Run r = rveth("plan", "--file", "x.yaml");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("Unknown options: '--file'"), r.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("apply", "plan", "validate", "show", "snapshot")) {
            Run r = rveth(cmd, "--help");
            assertEquals(0, r.exit(), cmd + ": " + r);
            assertTrue(r.out().startsWith("Usage: rveth " + cmd), r.out());
        }
    }

    @Test
    void colourOnlyWhenAskedAndNeverWithNoColor() {
        Netns h = new Netns("h");
        Plan plan = new Plan(List.of(new Change(Action.CREATE, "route.host[\"10.0.0.0/8\"]", "route", h, "dev v", "",
                List.of(Command.ip(h, "route", "add", "10.0.0.0/8", "dev", "v")), 9, null, null)));
        assertTrue(PlanView.render(plan, false, true).contains("\u001b["), "colour when on");
        assertFalse(PlanView.render(plan, false, false).contains("\u001b["), "none when off");
        OutputOptions o = new OutputOptions();
        o.noColor = true;
        assertFalse(o.color());
        // Tests run without a terminal: colour is off by itself.
        assertFalse(new OutputOptions().color());
    }

    @Test
    void completionAndManPagesComeFromTheCommandModel(@TempDir Path dir) throws Exception {
        Run completion = rveth("generate-completion");
        assertEquals(0, completion.exit());
        assertTrue(completion.out().contains("--detailed-exitcode"), "completion knows plan's flags");
        Run man = rveth("gen-manpage", "-d", dir.toString());
        assertEquals(0, man.exit(), man.toString());
        String plan = Files.readString(dir.resolve("rveth-plan.adoc"));
        assertTrue(plan.contains("--detailed-exitcode") && plan.contains("--live"), plan);
    }
}
