package io.rveth.live;

import io.rveth.model.Netns;
import io.rveth.model.State;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one read of the host printed, before parsing: which named namespaces exist, and
 * the {@code ip -j} documents of the host side and of each container namespace read.
 * A snapshot file is exactly this, so planning against a snapshot and against the kernel
 * run the same parser.
 *
 * @param hostDump null when the host netns does not exist (yet)
 */
public record LiveDumps(Netns host, Set<Netns> existing, NamespaceDump hostDump, Map<Netns, NamespaceDump> containers) {
    public LiveDumps {
        existing = Set.copyOf(existing);
        containers = Map.copyOf(containers);
    }

    /** The live state rveth owns, as seen by {@code protocol}'s routes. */
    public State state(int protocol) {
        return state(protocol, Set.of());
    }

    /** The same, treating the host-side veths named in {@code adoptable} as rveth's ({@code --adopt}). */
    public State state(int protocol, Set<String> adoptable) {
        return state(protocol, adoptable, Map.of());
    }

    /** The same, also recognising a bare pair a crashed run left unmarked (see {@link LiveParser}). */
    public State state(int protocol, Set<String> adoptable, Map<String, io.rveth.model.Endpoint> expectedPeers) {
        return state(protocol, java.util.Optional.empty(), adoptable, expectedPeers);
    }

    /** The same, also reading the settings of the manifest's {@code uplink}. */
    public State state(int protocol, java.util.Optional<String> uplink, Set<String> adoptable,
                       Map<String, io.rveth.model.Endpoint> expectedPeers) {
        return new LiveParser(host, protocol, adoptable, expectedPeers, uplink).parse(existing, hostDump,
                containers.values().stream().sorted((a, b) -> a.netns().compareTo(b.netns())).toList());
    }

    /** Live state comes from the kernel ({@link LiveReader}) or from a snapshot ({@link Snapshot}). */
    public interface Source {
        /**
         * @param containers  container namespaces the caller needs
         * @param followPeers also read wherever owned host ends point (show, snapshot)
         */
        LiveDumps read(Netns host, Set<Netns> containers, boolean followPeers);

        /** Words for messages: "the kernel", "snapshot s.json". */
        String describe();
    }

    static List<String> commands(boolean host) {
        return host ? NamespaceDump.HOST_COMMANDS : NamespaceDump.CONTAINER_COMMANDS;
    }
}
