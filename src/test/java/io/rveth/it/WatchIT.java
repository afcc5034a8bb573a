package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rveth.apply.ApplyLock;
import io.rveth.model.Netns;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code rveth apply --watch} as its own process: real drift, real signals. */
class WatchIT {
    static final String MANIFEST = """
            version: 1
            host: {netns: "@NS@-host", create-netns: true}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [203.0.113.10/32, 2001:db8:10::10/128]
                    routes: [198.51.100.0/28]
            """;

    Sandbox box;
    String host;
    Path lockFile;

    @BeforeEach
    void sandbox() {
        box = new Sandbox();
        host = box.ns("host");
        lockFile = ApplyLock.fileFor(new Netns(host));
    }

    @AfterEach
    void cleanup() throws Exception {
        if (box != null) box.close();
        if (lockFile != null) Files.deleteIfExists(lockFile);
    }

    /** The lines a process prints, read by a thread of their own; waiting for one has a timeout. */
    static final class Lines {
        private static final String EOF = "\u0000eof";
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final List<String> all = new ArrayList<>();

        Lines(InputStream in) {
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        synchronized (all) {
                            all.add(l);
                        }
                        queue.add(l);
                    }
                } catch (IOException e) {
                    // the process is gone
                } finally {
                    queue.add(EOF);
                }
            }, "watch-it-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Reads on until a line matches, and returns it; fails when the timeout or the end comes first. */
        String await(String what, Predicate<String> match, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                String l = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (l == null) fail("no line " + what + " within " + seconds + " s; the output so far:\n" + text());
                if (l.equals(EOF)) fail("the process ended before a line " + what + "; its output:\n" + text());
                if (match.test(l)) return l;
            }
        }

        String text() {
            synchronized (all) {
                return String.join("\n", all);
            }
        }
    }

    @Test
    void repairsDriftLogsItGoesOnAfterAFailedRunAndStopsCleanlyOnSigterm() throws Exception {
        Path manifest = box.manifest("m.yaml", MANIFEST);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.rveth.Main",
                "apply", "--watch", "--interval", "1s", "-f", manifest.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            Lines lines = new Lines(p.getInputStream());
            String ts = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ";
            lines.await("watching", l -> l.matches(ts + "watching " + manifest + ": a run every 1s; .*"), 120);
            // The first run builds everything: one "applied" line per change, then a summary.
            lines.await("applied (first change)", l -> l.matches(ts + "applied \\+ netns\\[\"" + host + "\"\\].*"), 120);
            lines.await("first run done", l -> l.matches(ts + "applied: \\d+ added, 0 changed, 0 destroyed; live state matches the manifest"), 120);
            assertTrue(box.ping(host, "203.0.113.10"), "the first run built the host side");

            // Drift: a host route deleted by hand comes back, and the log says so.
            box.ip(host, "route", "del", "198.51.100.0/28");
            lines.await("repairing the route",
                    l -> l.matches(ts + "repaired \\+ route\\.host\\[\"198\\.51\\.100\\.0/28\"\\]  dev rv-web"), 60);
            lines.await("repair summary",
                    l -> l.matches(ts + "repaired drift: 1 added, 0 changed, 0 destroyed; live state matches the manifest"), 60);
            assertTrue(box.ip(host, "route", "show", "198.51.100.0/28").contains("dev rv-web proto 147"));

            // A run that fails is logged, and the loop goes on: someone else's route holds the prefix.
            box.ip(host, "route", "replace", "198.51.100.0/28", "dev", "lo");
            // Named while planning, or as ip's "File exists" while applying: either way an error line.
            lines.await("the failed run",
                    l -> l.matches(ts + "error: .*route\\.host\\[\"198\\.51\\.100\\.0/28\"\\]: .*(already routed|File exists).*"), 60);
            box.ip(host, "route", "del", "198.51.100.0/28", "dev", "lo");
            lines.await("the repair after the failure",
                    l -> l.matches(ts + "repaired \\+ route\\.host\\[\"198\\.51\\.100\\.0/28\"\\]  dev rv-web"), 60);
            assertTrue(box.ip(host, "route", "show", "198.51.100.0/28").contains("dev rv-web proto 147"));

            // SIGTERM. Through the handle: Process.destroy() would also close our end of its
            // output, and the "stopped" line could no longer be read.
            assertTrue(p.toHandle().destroy(), "SIGTERM sent");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s:\n" + lines.text());
            assertEquals(0, p.exitValue(), "exit code after SIGTERM; output:\n" + lines.text());
            lines.await("stopped", l -> l.matches(ts + "stopped after \\d+ runs"), 30);
            assertTrue(lines.text().lines().noneMatch(l -> l.contains("Exception")), lines.text());
        } finally {
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void watchTakesNoSavedPlan() {
        Sandbox.Run run = rveth("apply", "--watch", box.manifest("saved.json", "{}").toString());
        assertEquals(64, run.exit(), run.toString());
        assertTrue(run.err().contains("--watch applies the manifest again at every run; it cannot take a saved PLANFILE"), run.err());
    }
}
