package io.rveth.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.live.IpRunner;
import io.rveth.manifest.Location;
import io.rveth.manifest.ManifestException;
import io.rveth.manifest.Problem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch loop without a kernel: runs whose manifest cannot be loaded (nothing reaches
 * ip), to see that errors are logged and the loop goes on, and how it stops.
 */
class WatcherTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);
    static final String AT = "2026-01-02T03:04:05Z ";

    @TempDir
    Path tmp;

    final StringWriter logText = new StringWriter();

    Watcher watcher(Duration interval, Watcher.ManifestSource source) {
        return new Watcher(new Reconciler(new IpRunner("/nonexistent/ip")), source, n -> tmp.resolve(n.name() + ".lock"),
                new Watcher.Options(interval, Duration.ZERO, false, false, false), "m.yaml", new PrintWriter(logText), CLOCK);
    }

    List<String> log() {
        return logText.toString().lines().toList();
    }

    @Test
    void aFailedRunIsLoggedAndTheNextRunComes() {
        AtomicInteger calls = new AtomicInteger();
        Watcher[] w = new Watcher[1];
        w[0] = watcher(Duration.ofMillis(1), () -> {
            int n = calls.incrementAndGet();
            if (n == 3) w[0].stop();
            if (n == 2) {
                throw new ManifestException(List.of(new Problem(new Location("m.yaml", 3, 5), "unknown key \"x\"")));
            }
            throw new IllegalStateException("boom " + n);
        });
        w[0].run();
        assertEquals(List.of(
                AT + "watching m.yaml: a run every 1ms; SIGTERM or Ctrl-C stops between runs",
                AT + "error: boom 1",
                AT + "error: m.yaml:3:5: unknown key \"x\"",
                AT + "error: the manifest is invalid (1 problem); nothing was changed",
                AT + "error: boom 3",
                AT + "stopped after 3 runs"), log());
    }

    @Test
    void stopEndsTheWaitBetweenRunsAtOnce() throws Exception {
        CountDownLatch firstRun = new CountDownLatch(1);
        Watcher w = watcher(Duration.ofHours(24), () -> {
            firstRun.countDown();
            throw new IllegalStateException("no manifest");
        });
        Thread loop = new Thread(w::run);
        loop.start();
        assertTrue(firstRun.await(30, TimeUnit.SECONDS));
        w.stop();
        loop.join(30_000);
        assertFalse(loop.isAlive(), "the 24h wait ended");
        assertEquals(AT + "stopped after 1 run", log().get(log().size() - 1));
    }

    @Test
    void aRunInProgressFinishesBeforeTheLoopStops() throws Exception {
        CountDownLatch inRun = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        Watcher w = watcher(Duration.ofHours(24), () -> {
            inRun.countDown();
            // Not interrupted by stop(): this wait ends only when the test says so.
            if (!mayFinish.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
            throw new IllegalStateException("run finished");
        });
        Thread loop = new Thread(w::run);
        loop.start();
        assertTrue(inRun.await(30, TimeUnit.SECONDS));
        w.stop();
        Thread stopper = new Thread(w::awaitFinished);
        stopper.start();
        assertTrue(loop.isAlive(), "the run in progress was not cut short by stop()");
        mayFinish.countDown();
        stopper.join(30_000);
        loop.join(30_000);
        assertFalse(loop.isAlive());
        assertEquals(List.of(
                AT + "watching m.yaml: a run every 24h; SIGTERM or Ctrl-C stops between runs",
                AT + "error: run finished",
                AT + "stopped after 1 run"), log());
    }
}
