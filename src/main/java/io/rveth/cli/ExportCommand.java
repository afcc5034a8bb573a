package io.rveth.cli;

import io.rveth.live.IpRunner;
import io.rveth.live.LiveDumps;
import io.rveth.live.LiveReader;
import io.rveth.manifest.DesiredState;
import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestException;
import io.rveth.manifest.ManifestReader;
import io.rveth.manifest.ManifestWriter;
import io.rveth.manifest.Problem;
import io.rveth.model.Netns;
import io.rveth.model.State;
import io.rveth.plan.Change;
import io.rveth.plan.Plan;
import io.rveth.plan.PlanException;
import io.rveth.plan.Planner;
import java.io.PrintWriter;
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

@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class,
        description = {"Print a manifest that reproduces the live topology rveth owns: applying it plans no changes.",
                "Not exported: mac and create-netns. What a manifest cannot express is a warning on stderr; "
                        + "an exported manifest that would not validate is an error (exit 1), printed all the same."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    HostOptions where;
    @Option(names = "--out", paramLabel = "FILE", description = "Write the manifest here (default: stdout).")
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
        LiveDumps dumps = reader.read(w.host(), containers, true);
        State live = dumps.state(w.protocol());
        ManifestWriter.Export export = ManifestWriter.export(live, w.host(), w.protocol());

        PrintWriter err = spec.commandLine().getErr();
        if (out == null) {
            spec.commandLine().getOut().print(export.yaml());
            spec.commandLine().getOut().flush();
        } else {
            Files.writeString(out, export.yaml(), StandardCharsets.UTF_8);
        }
        for (String note : export.notes()) err.println("Warning: " + note);
        int code = check(export, dumps, live, w.host(), w.protocol(), err);
        if (out != null && code == ExitCodes.OK) {
            err.printf("Exported %d container%s (%d interface%s) from host netns %s to %s%n", export.containers(),
                    export.containers() == 1 ? "" : "s", export.interfaces(), export.interfaces() == 1 ? "" : "s", w.host(), out);
        }
        err.flush();
        return code;
    }

    /**
     * Reads the export back and plans it against the state it came from: a problem means
     * the live state holds something a manifest cannot say (an error); a pending change
     * means applying it would not leave everything as it is (a warning).
     */
    private int check(ManifestWriter.Export export, LiveDumps dumps, State live, Netns host, int protocol, PrintWriter err) {
        String label = out == null ? "<export>" : out.toString();
        Manifest m;
        try {
            m = ManifestReader.parse(label, export.yaml());
        } catch (ManifestException e) {
            for (Problem p : e.problems()) err.println(p);
            boolean noHostRoutes = !live.veths().isEmpty() && live.routes().stream().noneMatch(r -> r.netns().equals(host));
            if (noHostRoutes) {
                err.println("Hint: no route in netns " + host + " carries route protocol " + protocol
                        + "; if rveth's routes there use another number, give it with --route-protocol.");
            }
            err.println("Error: the exported manifest is invalid (" + e.problems().size() + " problem"
                    + (e.problems().size() == 1 ? "" : "s") + "): the live state holds something a manifest cannot express."
                    + " It was " + (out == null ? "printed" : "written") + " all the same; fix it by hand before using it.");
            return ExitCodes.ERROR;
        }
        try {
            // Read as a plan of it would read it: with the uplink's settings, if it names one.
            State asPlanned = m.host().uplink().isEmpty() ? live
                    : dumps.state(protocol, m.host().uplink(), java.util.Set.of(), java.util.Map.of());
            Plan plan = Planner.plan(DesiredState.of(m), asPlanned, host);
            if (!plan.isEmpty()) {
                err.println("Warning: applying the exported manifest would still change this host ("
                        + PlanView.summary(plan) + "):");
                for (Change c : plan.changes()) err.println("  " + c.action().symbol() + " " + c.address());
            }
        } catch (PlanException e) {
            for (String s : e.problems()) err.println("Warning: planning the exported manifest: " + s);
        }
        return ExitCodes.OK;
    }
}
