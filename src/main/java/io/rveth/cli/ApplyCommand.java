package io.rveth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rveth.apply.ApplyException;
import io.rveth.apply.Executor;
import io.rveth.apply.Reconciler;
import io.rveth.live.IpRunner;
import io.rveth.manifest.Manifest;
import io.rveth.plan.Plan;
import io.rveth.plan.PlanJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
                "With PLANFILE (from 'plan --out'), apply exactly that plan, refusing if the manifest or the host changed since."})
final class ApplyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ManifestOptions manifest;
    @Mixin
    OutputOptions output;
    @Option(names = "--show-commands", description = "Print the exact ip command under each change.")
    boolean showCommands;
    @Parameters(arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved by 'rveth plan --out'.")
    Path planFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (planFile != null && manifest.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give a PLANFILE or -f, not both: a saved plan names its own manifests");
        }
        Reconciler reconciler = new Reconciler(new IpRunner());
        PlanJson.Document doc;
        Manifest m;
        if (planFile != null) {
            doc = readPlan(planFile);
            if (doc.manifests().isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), planFile + " names no manifest files");
            }
            m = ManifestOptions.load(spec, doc.manifests());
            reconciler.checkFresh(doc, m);
        } else {
            m = manifest.load(spec);
            Reconciler.Planned planned = reconciler.plan(m);
            doc = planned.document("apply", RvethCommand.version(), manifest.labels(spec), "kernel");
        }
        Plan plan = doc.plan();
        if (!output.json() && !output.quiet) out.print(PlanView.render(plan, showCommands || output.verbose, output.color()));
        out.flush();
        Consumer<Executor.Batch> progress = b -> {
            if (!output.quiet) {
                err.printf("Running %d command%s %s%n", b.commands().size(), b.commands().size() == 1 ? "" : "s",
                        b.netns() == null ? "to create namespaces" : "in netns " + b.netns());
            }
        };
        Plan left;
        try {
            left = reconciler.apply(m, plan, progress);
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

    private PlanJson.Document readPlan(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such plan file: " + file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " is not a saved plan (not JSON: "
                    + e.getOriginalMessage() + "); make one with 'rveth plan -f FILE --out " + file + "'");
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
                doc.manifestDigest(), doc.liveDigest(), doc.liveSource(), doc.plan()));
        ObjectNode apply = root.putObject("apply");
        apply.put("status", status);
        if (failure != null) {
            ObjectNode e = apply.putObject("error");
            e.put("address", failure.change() == null ? null : failure.change().address());
            e.put("command", failure.command().shell());
            e.put("message", failure.getMessage());
        }
        ObjectNode v = apply.putObject("verification");
        v.put("status", failure != null ? "skipped" : left == null || left.isEmpty() ? "passed" : "failed");
        var remaining = v.putArray("remaining");
        if (left != null) left.changes().forEach(c -> remaining.add(c.address()));
        return root;
    }
}
