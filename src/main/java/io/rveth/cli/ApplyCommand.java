package io.rveth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rveth.apply.ApplyException;
import io.rveth.apply.ApplyLock;
import io.rveth.apply.Durations;
import io.rveth.apply.Executor;
import io.rveth.apply.Reconciler;
import io.rveth.apply.Watcher;
import io.rveth.live.IpRunner;
import io.rveth.manifest.Manifest;
import io.rveth.plan.Plan;
import io.rveth.plan.PlanJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class,
        description = {"Plan, print the plan, apply it, then re-read the host to verify.",
                "With PLANFILE (from 'plan --out'), apply exactly that plan, refusing if the manifest or the host changed since.",
                "Applies to one host take turns, through a lock file in /run/rveth (see --lock-timeout).",
                "With --watch, keep reconciling: re-read the manifest and apply it every --interval, logging each change on stderr."})
final class ApplyCommand implements Callable<Integer>, Refusal.JsonCommand {
    @Spec
    CommandSpec spec;
    @Mixin
    ManifestOptions manifest;
    @Mixin
    OutputOptions output;
    @Option(names = "--adopt", description = "Take over matching objects rveth does not own yet (migration from osctld, LXD or hand-made setups).")
    boolean adopt;
    @Option(names = "--no-rollback", description = "When an operation fails, keep what this run did instead of undoing it.")
    boolean noRollback;
    @Option(names = "--show-commands", description = "Print the exact ip command under each change.")
    boolean showCommands;
    @Parameters(arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved by 'rveth plan --out'.")
    Path planFile;
    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait for another apply to this host to finish (500ms, 10s, 5m; 0: do not wait). Default: ${DEFAULT-VALUE}.")
    Duration lockTimeout;
    @Option(names = "--watch", description = "Keep reconciling until SIGTERM or Ctrl-C: each run re-reads the manifest, "
            + "applies it, and logs what it changed on stderr; errors are logged and the next run tries again.")
    boolean watch;
    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --watch: the wait after each run (at least 1s). Default: 30s.")
    Duration interval;

    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (planFile != null && manifest.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give a PLANFILE or -f, not both: a saved plan names its own manifests");
        }
        if (planFile != null && adopt) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--adopt goes with plan, not with a PLANFILE:"
                    + " a saved plan adopts what it was made to adopt (rveth plan --adopt --out FILE)");
        }
        if (watch) return watch(err);
        if (interval != null) throw new CommandLine.ParameterException(spec.commandLine(), "--interval needs --watch");
        Reconciler reconciler = new Reconciler(new IpRunner());
        PlanJson.Document saved = null;
        Manifest m;
        if (planFile != null) {
            saved = readPlan(planFile);
            if (saved.manifests().isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), planFile + " names no manifest files");
            }
            m = ManifestOptions.load(spec, saved.manifests());
        } else {
            m = manifest.load(spec);
        }
        ApplyLock lock = ApplyLock.acquire(ApplyLock.fileFor(m.host().netns()), lockTimeout);
        try {
            return apply(reconciler, saved, m, out, err);
        } finally {
            lock.close();
        }
    }

    /** Under the lock: plan (or check the saved plan is fresh), print, apply, verify. */
    private int apply(Reconciler reconciler, PlanJson.Document saved, Manifest m, PrintWriter out, PrintWriter err)
            throws Exception {
        PlanJson.Document doc;
        Reconciler.Planned planned = null;
        reconciler.rollback(!noRollback);
        if (saved != null) {
            doc = saved;
            reconciler.checkFresh(doc, m);
        } else {
            planned = reconciler.plan(m, adopt);
            doc = planned.document("apply", RvethCommand.version(), manifest.labels(spec), "kernel");
        }
        Plan plan = doc.plan();
        if (!output.json() && !output.quiet) out.print(PlanView.render(plan, showCommands || output.verbose, output.color()));
        plan.warnings().forEach(w -> err.println("Warning: " + w));
        out.flush();
        Consumer<Executor.Batch> progress = b -> {
            if (!output.quiet) {
                err.printf("Running %d command%s %s%n", b.commands().size(), b.commands().size() == 1 ? "" : "s",
                        b.netns() == null ? "to create namespaces" : "in netns " + b.netns());
            }
        };
        Plan left;
        try {
            // A fresh plan's live read is the rollback point; a saved plan's is read again.
            left = planned != null ? reconciler.apply(planned, progress) : reconciler.apply(m, plan, progress);
        } catch (ApplyException e) {
            if (output.json()) Json.print(out, result(doc, "failed", e, null));
            throw e;
        }
        if (!left.isEmpty()) {
            if (output.json()) Json.print(out, result(doc, "applied", null, left));
            err.println("Error: verification failed: after applying, the live state still differs from the manifest:");
            err.print(PlanView.render(left, true, false));
            return ExitCodes.ERROR;
        }
        if (output.json()) {
            Json.print(out, result(doc, plan.isEmpty() ? "no-op" : "applied", null, left));
        } else if (!plan.isEmpty()) {
            out.printf("%sApply complete! Resources: %d added, %d changed, %d destroyed.%n", output.quiet ? "" : "\n",
                    plan.toAdd(), plan.toChange(), plan.toDestroy());
        } else if (output.quiet) {
            out.println("No changes.");
        }
        return ExitCodes.OK;
    }

    /** --watch: checks the options and the manifest once, then runs until SIGTERM or SIGINT. */
    private int watch(PrintWriter err) throws Exception {
        if (planFile != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--watch applies the manifest again at every run; it cannot take a saved PLANFILE");
        }
        if (output.json()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--watch logs lines on stderr; it cannot write -o json");
        }
        if (manifest.files.contains("-")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--watch re-reads the manifest at every run; stdin (-f -) cannot be re-read");
        }
        Duration every = interval == null ? DEFAULT_INTERVAL : interval;
        if (every.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--interval " + Durations.format(every) + " is too short; at least 1s");
        }
        manifest.load(spec); // a manifest that is wrong from the start is an error now, not a log line per run
        Watcher watcher = new Watcher(new Reconciler(new IpRunner()), () -> manifest.load(spec), ApplyLock::fileFor,
                new Watcher.Options(every, lockTimeout, output.quiet, output.verbose, showCommands),
                String.join(", ", manifest.files), err, Clock.systemUTC());
        watcher.runUntilSignalled();
        return ExitCodes.OK;
    }

    /** "500ms", "10s", "5m", "1h", "0": see {@link Durations}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private PlanJson.Document readPlan(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such plan file: " + file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " is not a saved plan (not JSON: "
                    + e.getOriginalMessage() + "); to apply a manifest: rveth apply -f " + file
                    + "; to save a plan: rveth plan -f MANIFEST --out plan.json");
        }
        try {
            return PlanJson.read(root, file.toString());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The apply document: the plan, plus how it went. */
    private static ObjectNode result(PlanJson.Document doc, String status, ApplyException failure, Plan left) {
        ObjectNode root = PlanJson.write(new PlanJson.Document("apply", doc.toolVersion(), doc.host(), doc.manifests(),
                doc.manifestDigest(), doc.liveDigest(), doc.liveSource(), doc.plan(), doc.adopt()));
        ObjectNode apply = root.putObject("apply");
        apply.put("status", status);
        if (failure != null) {
            ObjectNode e = apply.putObject("error");
            e.put("address", failure.change() == null ? null : failure.change().address());
            e.put("command", failure.command().shell());
            e.put("message", failure.getMessage());
        }
        ObjectNode rollback = apply.putObject("rollback");
        rollback.put("status", failure == null ? "not-needed" : failure.rollback() == null ? "skipped"
                : failure.rollback().startsWith("ROLLBACK FAILED") ? "failed" : "done");
        if (failure != null && failure.rollback() != null) rollback.put("detail", failure.rollback());
        ObjectNode v = apply.putObject("verification");
        v.put("status", failure != null ? "skipped" : left == null || left.isEmpty() ? "passed" : "failed");
        var remaining = v.putArray("remaining");
        if (left != null) left.changes().forEach(c -> remaining.add(c.address()));
        return root;
    }

    @Override
    public boolean jsonOutput() {
        return output != null && output.json();
    }

    @Override
    public String operation() {
        return "apply";
    }
}
