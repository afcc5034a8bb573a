package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.apply.ApplyLock;
import io.rveth.model.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Applies to one host take turns through /run/rveth/<host netns>.lock. */
class LockIT {
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
    static final long PID = ProcessHandle.current().pid();

    Sandbox box;
    String host;
    Path lockFile;
    String manifest;

    @BeforeEach
    void sandbox() {
        box = new Sandbox();
        host = box.ns("host");
        lockFile = ApplyLock.fileFor(new Netns(host));
        manifest = box.manifest("m.yaml", MANIFEST).toString();
    }

    @AfterEach
    void cleanup() throws Exception {
        if (box != null) box.close();
        if (lockFile != null) Files.deleteIfExists(lockFile);
    }

    @Test
    void whileTheLockIsHeldApplyWaitsThenFailsNamingTheHolderAndChangesNothing() throws Exception {
        try (ApplyLock held = ApplyLock.acquire(lockFile, Duration.ZERO)) {
            assertEquals(Path.of("/run/rveth", host + ".lock"), lockFile);
            assertEquals(PID + "\n", Files.readString(lockFile), "the holder's pid is in the file");

            Sandbox.Run run = rveth("apply", "--lock-timeout", "200ms", "-f", manifest);
            assertEquals(1, run.exit(), run.toString());
            assertTrue(run.err().contains("Error: another rveth (pid " + PID + ") holds " + lockFile + "; waited 200ms"),
                    run.err());
            assertEquals("", run.out(), "no plan printed: the host was not even read");
            assertEquals(List.of(), box.namespaces(), "nothing was created");

            Sandbox.Run now = rveth("apply", "--lock-timeout", "0", "-f", manifest);
            assertEquals(1, now.exit(), now.toString());
            assertTrue(now.err().contains("holds " + lockFile + "; waited 0s"), now.err());

            Sandbox.Run plan = rveth("plan", "-f", manifest);
            assertEquals(0, plan.exit(), "plan does not lock: " + plan);
            assertTrue(plan.out().contains("Plan: "), plan.out());
        }
        Sandbox.Run run = rveth("apply", "--lock-timeout", "200ms", "-f", manifest);
        assertEquals(0, run.exit(), run.toString());
        assertTrue(box.ping(host, "203.0.113.10"));
        assertEquals("", Files.readString(lockFile), "released: no pid left behind");
    }

    @Test
    void twoConcurrentAppliesTakeTurnsAndBothSucceed() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<CompletableFuture<Sandbox.Run>> runs = List.of(1, 2).stream().map(i -> CompletableFuture.supplyAsync(() -> {
                try {
                    start.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return rveth("apply", "-f", manifest);
            }, threads)).toList();
            Sandbox.Run a = runs.get(0).get(120, TimeUnit.SECONDS);
            Sandbox.Run b = runs.get(1).get(120, TimeUnit.SECONDS);
            assertEquals(0, a.exit(), a.toString());
            assertEquals(0, b.exit(), b.toString());
            // One built everything; the other, after it, found nothing to do.
            List<String> outs = List.of(a.out(), b.out());
            assertEquals(1, outs.stream().filter(o -> o.contains("Apply complete! Resources: ")).count(), outs.toString());
            assertEquals(1, outs.stream().filter(o -> o.equals("No changes. Live state matches the manifest.\n")).count(),
                    outs.toString());
        } finally {
            threads.shutdownNow();
        }
        assertEquals("No changes. Live state matches the manifest.\n", rveth("plan", "-f", manifest).out());
        assertTrue(box.ping(host, "203.0.113.10"));
        assertTrue(box.ping(host, "2001:db8:10::10"));
        assertTrue(box.ip(host, "route", "show", "198.51.100.0/28").contains("dev rv-web"));
    }
}
