package io.rveth.cli;

import io.rveth.apply.Reconciler;
import io.rveth.live.IpRunner;
import io.rveth.plan.Plan;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class, description = "Show what apply would change, and change nothing (a dry run).")
final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ManifestOptions manifest;
    @Option(names = "--show-commands", description = "Print the exact ip command under each change.")
    boolean showCommands;

    @Override
    public Integer call() throws Exception {
        Plan plan = new Reconciler(new IpRunner()).plan(manifest.load(spec));
        spec.commandLine().getOut().print(PlanView.render(plan, showCommands));
        return ExitCodes.OK;
    }
}
