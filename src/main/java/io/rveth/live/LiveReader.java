package io.rveth.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.rveth.model.Netns;
import io.rveth.model.Veth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Reads live state: one {@code ip -N -j -batch -} process per namespace (the process, not
 * the netlink dump, is what costs), container namespaces several at a time, then hands
 * the dumps to {@link LiveParser}. Never changes anything.
 */
public final class LiveReader implements LiveDumps.Source {
    /** Where {@code ip netns} keeps its names. */
    static final Path NETNS_DIR = Path.of("/var/run/netns");
    /** Concurrent reads: ip spends most of its time starting up and in the kernel. */
    static final int PARALLEL_READS = 4;

    private final IpRunner ip;
    private final Path netnsDir;

    public LiveReader(IpRunner ip) {
        this(ip, NETNS_DIR);
    }

    LiveReader(IpRunner ip, Path netnsDir) {
        this.ip = ip;
        this.netnsDir = netnsDir;
    }

    @Override
    public LiveDumps read(Netns host, Set<Netns> containers, boolean followPeers) {
        Set<Netns> existing = namespaces();
        if (!host.isCurrent() && !existing.contains(host)) return new LiveDumps(host, existing, null, Map.of());
        NamespaceDump hostDump = dump(host, true);
        Set<Netns> wanted = new TreeSet<>(containers);
        if (followPeers) wanted.addAll(peerNamespaces(hostDump));
        wanted.retainAll(existing);
        wanted.remove(host);
        Map<Netns, NamespaceDump> dumps = new TreeMap<>();
        for (NamespaceDump d : dumpAll(wanted)) dumps.put(d.netns(), d);
        return new LiveDumps(host, existing, hostDump, dumps);
    }

    @Override
    public String describe() {
        return "the kernel";
    }

    /** Named namespaces, as {@code ip netns list} sees them. */
    public Set<Netns> namespaces() {
        Set<Netns> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(netnsDir)) {
            files.forEach(p -> out.add(new Netns(p.getFileName().toString())));
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + netnsDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private List<NamespaceDump> dumpAll(Set<Netns> namespaces) {
        if (namespaces.isEmpty()) return List.of();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_READS, namespaces.size()));
        try {
            List<Future<NamespaceDump>> futures = new ArrayList<>();
            for (Netns ns : namespaces) futures.add(pool.submit(() -> dump(ns, false)));
            List<NamespaceDump> out = new ArrayList<>();
            for (Future<NamespaceDump> f : futures) out.add(f.get());
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading namespaces", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private NamespaceDump dump(Netns ns, boolean host) {
        List<String> commands = host ? NamespaceDump.HOST_COMMANDS : NamespaceDump.CONTAINER_COMMANDS;
        IpRunner.Result r = ip.batch(ns, commands, true);
        if (r.exitCode() != 0) {
            throw new IpOutputException("reading netns " + ns + " failed: " + r.stderr().strip());
        }
        NamespaceDump dump = NamespaceDump.parse(ns, r.stdout(), host);
        if (!host) return dump;
        IpRunner.Result rules = ip.run(ip.ipIn(ns, List.of("-6", "-N", "-j", "rule", "show")), "");
        if (rules.exitCode() != 0) throw new IpOutputException("reading IPv6 rules in netns " + ns + " failed: " + rules.stderr().strip());
        return dump.withRules(rules.stdout());
    }

    /** The namespaces the owned host ends point into, by the host's nsid table. */
    static Set<Netns> peerNamespaces(NamespaceDump host) {
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode link : host.list(NamespaceDump.Doc.LINKS, "link show")) {
            if (Veth.isOwnedAlias(link.path("ifalias").asText(null)) && link.has("link_netnsid")) {
                ids.add(link.get("link_netnsid").asInt());
            }
        }
        Set<Netns> out = new TreeSet<>();
        for (JsonNode n : host.list(NamespaceDump.Doc.NSIDS, "netns list-id")) {
            if (ids.contains(n.path("nsid").asInt(-1)) && n.hasNonNull("name")) out.add(new Netns(n.get("name").asText()));
        }
        return out;
    }

    /** Fails early, with the fix, when {@code ip} is missing or too old to speak JSON. */
    public void checkIp() {
        IpRunner.Result r = ip.run(List.of(ipPath(), "-V"), "");
        String version = (r.stdout() + r.stderr()).strip();
        if (r.exitCode() != 0 || !version.contains("iproute2")) {
            throw new IllegalStateException("\"" + ipPath() + " -V\" did not answer as iproute2 does (" + version
                    + "); install iproute2 (apt-get install iproute2)");
        }
        ip.checkNsenter();
    }

    private String ipPath() {
        return ip.ip();
    }
}
