package io.rveth.cli;

import io.rveth.apply.Reconciler;
import io.rveth.live.IpRunner;
import io.rveth.live.LiveDumps;
import io.rveth.live.LiveReader;
import io.rveth.live.Snapshot;
import io.rveth.manifest.Manifest;
import io.rveth.plan.PlanJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class,
        description = "Show what apply would change, and change nothing (a dry run).")
final class PlanCommand implements Callable<Integer>, Refusal.JsonCommand {
    @Spec
    CommandSpec spec;
    @Mixin
    ManifestOptions manifest;
    @Mixin
    OutputOptions output;
    @Option(names = "--show-commands", description = "Print the exact ip command under each change.")
    boolean showCommands;
    @Option(names = "--detailed-exitcode", description = "Exit 0 when there is nothing to do, 2 when changes are pending, 1 on error.")
    boolean detailedExitcode;
    @Option(names = "--out", paramLabel = "FILE", description = "Also save the plan (JSON) for 'rveth apply FILE'.")
    Path out;
    @Option(names = "--adopt", description = "Take over matching objects rveth does not own yet (migration from osctld, LXD or hand-made setups).")
    boolean adopt;
    @Option(names = "--live", paramLabel = "SNAPSHOT",
            description = "Plan against a snapshot ('rveth snapshot') instead of the kernel; needs no root.")
    Path live;

    @Override
    public Integer call() throws Exception {
        Manifest m = manifest.load(spec);
        List<String> files = manifest.labels(spec);
        IpRunner ip = new IpRunner();
        LiveDumps.Source source = live == null ? new LiveReader(ip) : Snapshot.load(live);
        Reconciler reconciler = new Reconciler(ip, source);
        Reconciler.Planned planned = reconciler.plan(m, adopt);
        PlanJson.Document doc = planned.document("plan", RvethCommand.version(), files,
                live == null ? "kernel" : live.toString());
        if (out != null) {
            if (files.contains("<stdin>")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--out needs manifest files: apply re-reads them to check the plan is not stale; stdin cannot be re-read");
            }
            Files.writeString(out, Json.text(PlanJson.write(doc)), StandardCharsets.UTF_8);
        }
        if (output.json()) {
            Json.print(spec.commandLine().getOut(), PlanJson.write(doc));
        } else if (output.quiet) {
            spec.commandLine().getOut().println(planned.plan().isEmpty() ? "No changes." : PlanView.summary(planned.plan()));
        } else {
            spec.commandLine().getOut().print(PlanView.render(planned.plan(), showCommands || output.verbose, output.color()));
            if (out != null) spec.commandLine().getOut().printf("%nSaved the plan to %s; apply it with: rveth apply %s%n", out, out);
        }
        planned.plan().warnings().forEach(w -> spec.commandLine().getErr().println("Warning: " + w));
        if (detailedExitcode && !planned.plan().isEmpty()) return ExitCodes.CHANGES_PENDING;
        return ExitCodes.OK;
    }

    @Override
    public boolean jsonOutput() {
        return output != null && output.json();
    }

    @Override
    public String operation() {
        return "plan";
    }
}
