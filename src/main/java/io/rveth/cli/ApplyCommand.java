package io.rveth.cli;

import io.rveth.apply.Reconciler;
import io.rveth.live.IpRunner;
import io.rveth.manifest.Manifest;
import io.rveth.plan.Plan;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class, description = "Plan, print the plan, apply it, then re-read the host to verify.")
final class ApplyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ManifestOptions manifest;
    @Option(names = "--show-commands", description = "Print the exact ip command under each change.")
    boolean showCommands;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Manifest m = manifest.load(spec);
        Reconciler reconciler = new Reconciler(new IpRunner());
        Plan plan = reconciler.plan(m);
        out.print(PlanView.render(plan, showCommands));
        if (plan.isEmpty()) return ExitCodes.OK;
        out.flush();
        Plan left = reconciler.apply(m, plan, batch -> err.printf("Running %d command%s %s%n", batch.commands().size(),
                batch.commands().size() == 1 ? "" : "s",
                batch.netns() == null ? "to create namespaces" : "in netns " + batch.netns()));
        if (!left.isEmpty()) {
            err.println("Error: verification failed: after applying, the live state still differs from the manifest:");
            err.print(PlanView.render(left, true));
            return ExitCodes.ERROR;
        }
        out.printf("%nApply complete! Resources: %d added, %d changed, %d destroyed.%n",
                plan.toAdd(), plan.toChange(), plan.toDestroy());
        return ExitCodes.OK;
    }
}
