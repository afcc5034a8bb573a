package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** rveth killed in the middle of an apply: the next apply converges. */
class CrashIT {
    static final int CONTAINERS = 30;

    Sandbox box;

    @BeforeEach
    void sandbox() {
        box = new Sandbox();
    }

    @AfterEach
    void cleanup() {
        if (box != null) box.close();
    }

    static String manifest(int containers) {
        StringBuilder y = new StringBuilder("version: 1\nhost: {netns: \"@NS@-host\", create-netns: true}\ncontainers:\n");
        for (int i = 1; i <= containers; i++) {
            y.append("  c").append(i).append(":\n    netns: \"@NS@-c").append(i).append("\"\n    create-netns: true\n")
                    .append("    interfaces:\n      eth0: {addresses: [10.9.").append(i).append(".1/32, 2001:db8:9:")
                    .append(Integer.toHexString(i)).append("::1/128], routes: [10.8.").append(i).append(".0/29]}\n");
        }
        return y.toString();
    }

    @Test
    void killedMidApplyThenApplyAgainConverges() throws Exception {
        Path file = box.manifest("m.yaml", manifest(CONTAINERS));
        Process p = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"), "io.rveth.Main",
                "apply", "-f", file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<ProcessHandle> children;
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream()))) {
            String line;
            // The host batch is running: the pairs exist, their addresses and routes are under way.
            do {
                line = err.readLine();
            } while (line != null && !line.contains("in netns " + box.ns("host")));
            assertTrue(line != null, "rveth reached its host batch");
            children = p.descendants().toList();
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        // An ip batch already started runs to its end (its input was complete): let it.
        for (ProcessHandle c : children) c.onExit().get(60, TimeUnit.SECONDS);

        Sandbox.Run again = rveth("apply", "-f", file.toString());
        assertEquals(0, again.exit(), again.toString());
        Sandbox.Run plan = rveth("plan", "-f", file.toString());
        assertEquals("No changes. Live state matches the manifest.\n", plan.out(), plan.toString());
        assertTrue(box.ping(box.ns("host"), "10.9." + CONTAINERS + ".1"));
    }

    @Test
    void aBarePairACrashLeftUnmarkedIsTakenAsRvethsOwn() {
        String m = manifest(1);
        Path file = box.manifest("m.yaml", m);
        // What a run that died between "link add" and "link set ... alias" leaves behind.
        assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", box.ns("host"))).exit());
        assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", box.ns("c1"))).exit());
        box.ip(box.ns("host"), "link", "add", "name", "rv-c1", "type", "veth", "peer", "name", "eth0", "netns", box.ns("c1"));
        Sandbox.Run run = rveth("apply", "-f", file.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("~ veth.c1[\"eth0\"]"), "the pair is marked, not re-made: " + run.out());
        assertTrue(box.ping(box.ns("host"), "10.9.1.1"));
    }
}
