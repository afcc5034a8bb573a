package io.rveth.cli;

import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestException;
import io.rveth.model.Netns;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the host side is, for commands that read without needing a manifest (show,
 * snapshot, export): {@code --host-netns NAME}, or {@code -f} to take it from manifests.
 */
final class HostOptions {
    @Option(names = "--host-netns", paramLabel = "NAME", description = "The netns of the host side (default: the current one).")
    String hostNetns;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "Take host.netns and host.route-protocol from these manifests (and read their containers' netns).")
    List<String> files = new ArrayList<>();

    @Option(names = "--route-protocol", paramLabel = "N",
            description = "rveth's route protocol number (default: the manifest's, else " + Manifest.DEFAULT_ROUTE_PROTOCOL + ").")
    Integer protocol;

    /** Resolved: host netns, protocol, and container netns to read (null: follow the host ends). */
    record Where(Netns host, int protocol, Set<Netns> containers) {
    }

    Where resolve(CommandLine.Model.CommandSpec spec) throws ManifestException {
        if (hostNetns != null && !files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --host-netns or -f, not both");
        }
        if (!files.isEmpty()) {
            Manifest m = ManifestOptions.load(spec, files);
            Set<Netns> containers = new TreeSet<>();
            for (Manifest.Container c : m.containers()) containers.add(c.netns());
            return new Where(m.host().netns(), protocol != null ? protocol : m.host().routeProtocol(), containers);
        }
        return new Where(hostNetns == null ? Netns.CURRENT : new Netns(hostNetns),
                protocol != null ? protocol : Manifest.DEFAULT_ROUTE_PROTOCOL, null);
    }
}
