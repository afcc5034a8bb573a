package io.rveth.cli;

import io.rveth.manifest.Manifest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class, description = "Check a manifest without touching the system (no root needed).")
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ManifestOptions manifest;

    @Override
    public Integer call() throws Exception {
        Manifest m = manifest.load(spec);
        long interfaces = m.containers().stream().mapToLong(c -> c.interfaces().size()).sum();
        long routes = m.containers().stream().flatMap(c -> c.interfaces().stream()).mapToLong(i -> i.routedPrefixes().size()).sum();
        spec.commandLine().getOut().printf("%s is valid: %d containers, %d interfaces, %d host routes.%n",
                m.file(), m.containers().size(), interfaces, routes);
        return ExitCodes.OK;
    }
}
