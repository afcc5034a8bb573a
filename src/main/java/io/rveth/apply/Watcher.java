package io.rveth.apply;

import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestException;
import io.rveth.manifest.Problem;
import io.rveth.model.Netns;
import io.rveth.plan.Action;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import io.rveth.plan.PlanException;
import io.rveth.plan.StateDigest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code apply --watch}: reconciles again and again, {@code interval} after the end of each
 * run, until stopped. Each run re-reads the manifest, takes the host's {@link ApplyLock},
 * plans, applies and verifies, like one {@code apply}. It logs to one writer, a timestamp
 * on every line: each change a run made, errors (a failed run is logged and the next run
 * tries again), and nothing for a run with nothing to do (a line with {@code verbose}).
 *
 * <p>{@link #stop()} ends the loop between runs: a run in progress finishes first; the wait
 * between runs ends at once. {@link #runUntilSignalled()} wires that to SIGTERM and SIGINT.
 */
public final class Watcher {
    /** Reads the manifest afresh for a run. */
    @FunctionalInterface
    public interface ManifestSource {
        Manifest load() throws Exception;
    }

    /**
     * @param interval     the wait after the end of one run before the next
     * @param lockTimeout  how long a run waits for the host's lock
     * @param quiet        no start and first-run lines: only changes, errors and "stopped"
     * @param verbose      also a line for a run without changes, and each batch as it runs
     * @param showCommands the ip commands under each change made
     */
    public record Options(Duration interval, Duration lockTimeout, boolean quiet, boolean verbose, boolean showCommands) {
    }

    private final Reconciler reconciler;
    private final ManifestSource manifests;
    private final Function<Netns, Path> lockFiles;
    private final Options options;
    private final String what;
    private final PrintWriter log;
    private final Clock clock;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stoppedCleanly;
    /** The desired state of the last run that converged; a different one means the manifest changed. */
    private String convergedDesired;
    private int runs;

    /**
     * @param what      what is watched, for the first line (the manifest files)
     * @param lockFiles the lock file for a host netns ({@link ApplyLock#fileFor} outside tests)
     */
    public Watcher(Reconciler reconciler, ManifestSource manifests, Function<Netns, Path> lockFiles, Options options,
                   String what, PrintWriter log, Clock clock) {
        if (options.interval().isNegative() || options.interval().isZero()) {
            throw new IllegalArgumentException("the interval must be positive");
        }
        this.reconciler = reconciler;
        this.manifests = manifests;
        this.lockFiles = lockFiles;
        this.options = options;
        this.what = what;
        this.log = log;
        this.clock = clock;
    }

    /**
     * {@link #run()} with a shutdown hook: SIGTERM or SIGINT (or SIGHUP) stop the loop, the
     * run in progress finishes, "stopped" is logged, and the JVM exits 0.
     */
    public void runUntilSignalled() {
        Thread hook = new Thread(() -> {
            stop();
            awaitFinished();
            log.flush();
            // The JVM would exit 128+signal after its hooks; a clean stop is a success.
            if (stoppedCleanly) Runtime.getRuntime().halt(0);
        }, "rveth-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is what stopped us, and it exits
            }
        }
    }

    /** Runs until {@link #stop()} (or an interrupt), then logs "stopped". */
    public void run() {
        try {
            if (!options.quiet()) {
                log("watching " + what + ": a run every " + Durations.format(options.interval())
                        + "; SIGTERM or Ctrl-C stops between runs");
            }
            while (stopRequested.getCount() > 0) {
                runOnce();
                try {
                    if (stopRequested.await(options.interval().toNanos(), TimeUnit.NANOSECONDS)) break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            log("stopped after " + runs + " run" + (runs == 1 ? "" : "s"));
            stoppedCleanly = true;
        } finally {
            finished.countDown();
        }
    }

    /** Asks the loop to end after the run in progress, if any; returns at once. */
    public void stop() {
        stopRequested.countDown();
    }

    /** Waits until {@link #run()} has returned. */
    public void awaitFinished() {
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** One run: never throws for what can go wrong in a run; logs it instead. */
    void runOnce() {
        boolean first = runs == 0;
        runs++;
        try {
            Manifest manifest = manifests.load();
            ApplyLock lock = ApplyLock.acquire(lockFiles.apply(manifest.host().netns()), options.lockTimeout());
            try {
                if (stopRequested.getCount() == 0) return; // stopped while waiting for the lock: change nothing
                Reconciler.Planned planned = reconciler.plan(manifest);
                String desired = StateDigest.of(planned.desired());
                Plan plan = planned.plan();
                if (plan.isEmpty()) {
                    convergedDesired = desired;
                    if (options.verbose() || (first && !options.quiet())) log("no changes; live state matches the manifest");
                    return;
                }
                boolean manifestChanged = convergedDesired != null && !convergedDesired.equals(desired);
                if (manifestChanged) log("the manifest changed; applying it");
                String verb = convergedDesired == null || manifestChanged ? "applied" : "repaired";
                Consumer<Executor.Batch> progress = b -> {
                    if (options.verbose()) {
                        log("running " + b.commands().size() + " command" + (b.commands().size() == 1 ? " " : "s ")
                                + (b.netns() == null ? "to create namespaces" : "in netns " + b.netns()));
                    }
                };
                Plan left = reconciler.apply(planned, progress);
                for (Change c : plan.changes()) {
                    log(verb + " " + line(c));
                    if (options.showCommands() || options.verbose()) {
                        for (Command cmd : c.commands()) log("    $ " + cmd.shell());
                    }
                }
                if (!left.isEmpty()) {
                    log("error: verification failed: after applying, the live state still differs from the manifest:");
                    for (Change c : left.changes()) log("error:   still pending " + line(c));
                    return;
                }
                convergedDesired = desired;
                log((verb.equals("repaired") ? "repaired drift: " : "applied: ")
                        + plan.toAdd() + " added, " + plan.toChange() + " changed, " + plan.toDestroy()
                        + " destroyed; live state matches the manifest");
            } finally {
                lock.close();
            }
        } catch (ManifestException e) {
            for (Problem p : e.problems()) log("error: " + p);
            log("error: the manifest is invalid (" + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s")
                    + "); nothing was changed");
        } catch (PlanException e) {
            for (String p : e.problems()) log("error: " + p);
            log("error: nothing was changed");
        } catch (ApplyException e) {
            log("error: apply stopped: " + e.getMessage());
            log("error: " + (e.rollback() != null ? "rollback: " + e.rollback()
                    : "the commands before it stay applied (no rollback)"));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            log("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    /** "+ route.host["203.0.113.11/32"]  dev rv-web", as a plan shows a change. */
    private static String line(Change c) {
        String detail = c.reason().isEmpty() ? c.summary()
                : c.action() != Action.UPDATE ? c.summary() + "  # " + c.reason() : c.reason();
        return c.action().symbol() + " " + c.address() + (detail.isEmpty() ? "" : "  " + detail);
    }

    private void log(String message) {
        String at = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        for (String l : message.split("\n", -1)) log.println(at + " " + l);
        log.flush();
    }
}
