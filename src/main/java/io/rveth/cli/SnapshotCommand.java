package io.rveth.cli;

import io.rveth.live.IpRunner;
import io.rveth.live.LiveReader;
import io.rveth.live.Snapshot;
import io.rveth.model.Netns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "snapshot", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class,
        description = {"Save the live state (what ip -j prints) to JSON, for 'plan --live FILE' without root.",
                "With -f, the manifest's container namespaces are read too; take it with the manifest you will plan."})
final class SnapshotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    HostOptions where;
    @Option(names = "--out", paramLabel = "FILE", description = "Write the snapshot here (default: stdout).")
    Path out;

    @Override
    public Integer call() throws Exception {
        HostOptions.Where w = where.resolve(spec);
        LiveReader reader = new LiveReader(new IpRunner());
        reader.checkIp();
        if (!w.host().isCurrent() && !reader.namespaces().contains(w.host())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "netns " + w.host() + " does not exist");
        }
        Set<Netns> containers = w.containers() == null ? Set.of() : w.containers();
        String json = Json.text(Snapshot.toJson(reader.read(w.host(), containers, true), RvethCommand.version()));
        if (out == null) {
            spec.commandLine().getOut().print(json);
            spec.commandLine().getOut().flush();
        } else {
            Files.writeString(out, json, StandardCharsets.UTF_8);
            spec.commandLine().getErr().println("Saved a snapshot of host netns " + w.host() + " to " + out);
        }
        return ExitCodes.OK;
    }
}
