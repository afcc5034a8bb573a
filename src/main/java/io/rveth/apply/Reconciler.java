package io.rveth.apply;

import io.rveth.live.IpRunner;
import io.rveth.live.LiveDumps;
import io.rveth.live.LiveReader;
import io.rveth.live.NamespaceDump;
import io.rveth.manifest.DesiredState;
import io.rveth.manifest.Manifest;
import io.rveth.model.Namespace;
import io.rveth.model.Netns;
import io.rveth.model.State;
import io.rveth.plan.Action;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import io.rveth.plan.PlanJson;
import io.rveth.plan.Planner;
import io.rveth.plan.StateDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The imperative shell around the pure core: read live state (from the kernel or a
 * snapshot), plan, execute, verify. The CLI calls this and renders what it returns.
 */
public final class Reconciler {
    /** Verification re-reads at most this often, backing off, before reporting a mismatch. */
    static final int VERIFY_ATTEMPTS = 4;
    static final long VERIFY_BACKOFF_MS = 100;

    private final IpRunner ip;
    private final LiveDumps.Source source;
    private boolean rollback = true;

    /** Against the kernel. */
    public Reconciler(IpRunner ip) {
        this(ip, new LiveReader(ip));
    }

    public Reconciler(IpRunner ip, LiveDumps.Source source) {
        this.ip = ip;
        this.source = source;
    }

    /**
     * A plan and what it was made from (see {@link PlanJson.Document}).
     *
     * @param peers the container namespaces that were read (for the rollback point)
     * @param dumps the read the plan was made from (null: unknown), which verification
     *              reuses for the namespaces the plan does not touch
     * @param adopt made with --adopt
     */
    public record Planned(Manifest manifest, State desired, State live, Plan plan, Set<Netns> peers, LiveDumps dumps,
                          boolean adopt) {
        public Planned(Manifest manifest, State desired, State live, Plan plan, Set<Netns> peers) {
            this(manifest, desired, live, plan, peers, null, false);
        }

        public PlanJson.Document document(String operation, String toolVersion, List<String> manifests, String liveSource) {
            return new PlanJson.Document(operation, toolVersion, manifest.host().netns(), manifests,
                    StateDigest.of(desired), StateDigest.of(live, desired), liveSource, plan, adopt);
        }
    }

    public Planned plan(Manifest manifest) {
        return plan(manifest, false);
    }

    /** @param adopt take over matching objects rveth does not own yet (see {@link Planner#plan}) */
    public Planned plan(Manifest manifest, boolean adopt) {
        if (source instanceof LiveReader reader) reader.checkIp();
        State desired = DesiredState.of(manifest);
        // Peers too: a veth about to be deleted must be known well enough to re-make it.
        LiveDumps dumps = source.read(manifest.host().netns(), containerNetns(manifest), true);
        State live = dumps.state(manifest.host().routeProtocol(), manifest.host().uplink(), adopt ? hostNames(manifest) : Set.of(),
                expectedPeers(desired));
        return new Planned(manifest, desired, live, Planner.plan(desired, live, manifest.host().netns(), adopt),
                dumps.containers().keySet(), dumps, adopt);
    }

    private static Set<Netns> containerNetns(Manifest manifest) {
        Set<Netns> containers = new TreeSet<>();
        for (Manifest.Container c : manifest.containers()) containers.add(c.netns());
        return containers;
    }

    private static Set<String> hostNames(Manifest manifest) {
        Set<String> hostNames = new TreeSet<>();
        for (Manifest.Container c : manifest.containers()) c.interfaces().forEach(i -> hostNames.add(i.hostName()));
        return hostNames;
    }

    private static Map<String, io.rveth.model.Endpoint> expectedPeers(State desired) {
        Map<String, io.rveth.model.Endpoint> out = new TreeMap<>();
        for (io.rveth.model.Veth v : desired.veths()) out.put(v.host().name(), v.peer());
        return out;
    }

    /**
     * Applies {@code plan} to the kernel, then re-reads and re-plans from {@code manifest}:
     * anything left over is a verification failure, returned as that plan.
     *
     * <p>When an operation fails midway, what this run did is undone (unless rollback is
     * off): the live state read just before applying becomes the desired state of a
     * rollback plan, namespaces this run created are deleted, and the result is verified.
     * The {@link ApplyException} then says how the rollback went.
     */
    public Plan apply(Manifest manifest, Plan plan, Consumer<Executor.Batch> progress) {
        return apply(manifest, plan, rollback && !plan.isEmpty() ? readScoped(manifest) : null, null, progress);
    }

    /**
     * Applies a plan just made, using the live state it was made from as the rollback point,
     * and its read for the namespaces the plan does not touch when verifying.
     */
    public Plan apply(Planned planned, Consumer<Executor.Batch> progress) {
        return apply(planned.manifest(), planned.plan(), rollback ? scoped(planned.live(), planned.manifest(), planned.peers()) : null,
                planned.dumps(), progress);
    }

    private Plan apply(Manifest manifest, Plan plan, State before, LiveDumps read, Consumer<Executor.Batch> progress) {
        if (plan.isEmpty()) return plan;
        Netns host = manifest.host().netns();
        Executor executor = new Executor(ip).readingBack();
        try {
            executor.apply(plan, host, progress);
        } catch (ApplyException e) {
            if (before == null) throw e;
            throw e.withRollback(rollBack(manifest, before));
        }
        return verify(manifest, read, touched(plan), executor.readBacks());
    }

    /**
     * The namespaces {@code plan} can change: where its commands run, every netns a command
     * names ({@code link add ... netns web}, {@code netns add web}), and both ends of every
     * veth it creates, changes or deletes (deleting a host end takes its peer with it).
     */
    static Set<Netns> touched(Plan plan) {
        Set<Netns> out = new TreeSet<>();
        for (Change c : plan.changes()) {
            for (Command cmd : c.commands()) {
                if (cmd.netns() != null) out.add(cmd.netns());
                List<String> args = cmd.args();
                for (int i = 0; i + 1 < args.size(); i++) {
                    if (args.get(i).equals("netns")) {
                        String next = args.get(i + 1);
                        String name = next.equals("add") || next.equals("del") || next.equals("delete") || next.equals("exec")
                                ? (i + 2 < args.size() ? args.get(i + 2) : null) : next;
                        if (name != null) out.add(new Netns(name));
                    }
                }
            }
            for (Object o : new Object[] {c.before(), c.after()}) {
                if (o instanceof io.rveth.model.Veth v) {
                    out.add(v.host().netns());
                    out.add(v.peer().netns());
                }
            }
        }
        return out;
    }

    /** Whether a failed apply is undone (default) or left as it stopped ({@code --no-rollback}). */
    public Reconciler rollback(boolean on) {
        this.rollback = on;
        return this;
    }

    /**
     * Re-reads and re-plans until nothing is left, a few times: the kernel may still be
     * settling (an IPv6 address leaving "tentative", a link coming up) just after a batch.
     */
    private Plan verify(Manifest manifest, LiveDumps read, Set<Netns> touched, Map<Netns, NamespaceDump> readBacks) {
        State desired = DesiredState.of(manifest);
        Plan left = Planner.plan(desired, readForVerify(manifest, desired, read, touched, readBacks), manifest.host().netns());
        for (int attempt = 1; !left.isEmpty() && attempt < VERIFY_ATTEMPTS; attempt++) {
            try {
                Thread.sleep(VERIFY_BACKOFF_MS * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // The kernel may have been settling: read every touched namespace anew.
            left = Planner.plan(desired, readForVerify(manifest, desired, read, touched, Map.of()), manifest.host().netns());
        }
        return left;
    }

    /**
     * The owned live state of the host and the manifest's containers, re-reading only the
     * host and the namespaces the plan touched: a touched container whose batch read itself
     * back after its changes ({@link Executor#readingBack}) is taken from that read, and the
     * other containers from {@code before}, the read the plan was made from (nothing in the
     * plan changed them). Without {@code before}, every container without a read-back is read.
     */
    private State readForVerify(Manifest manifest, State desired, LiveDumps before, Set<Netns> touched,
                                Map<Netns, NamespaceDump> readBacks) {
        Netns host = manifest.host().netns();
        Set<Netns> wanted = containerNetns(manifest);
        Set<Netns> reread = new TreeSet<>();
        Map<Netns, NamespaceDump> known = new TreeMap<>();
        for (Netns ns : wanted) {
            if (ns.equals(host)) continue;
            if (readBacks.containsKey(ns)) known.put(ns, readBacks.get(ns));
            else if (before != null && !touched.contains(ns) && before.containers().containsKey(ns)) known.put(ns, before.containers().get(ns));
            else reread.add(ns);
        }
        LiveDumps fresh = source.read(host, reread, false);
        Map<Netns, NamespaceDump> containers = new TreeMap<>(fresh.containers());
        known.forEach((ns, dump) -> {
            if (fresh.existing().contains(ns)) containers.put(ns, dump);
        });
        return new LiveDumps(host, fresh.existing(), fresh.hostDump(), containers)
                .state(manifest.host().routeProtocol(), manifest.host().uplink(), Set.of(), expectedPeers(desired));
    }

    /**
     * The owned live state of the host, the manifest's containers and the peers of every
     * owned host end (so that a deleted veth can be re-made), limited to those namespaces.
     */
    private State readScoped(Manifest manifest) {
        LiveDumps dumps = source.read(manifest.host().netns(), containerNetns(manifest), true);
        return scoped(dumps.state(manifest.host().routeProtocol(), manifest.host().uplink(), Set.of(), Map.of()), manifest,
                dumps.containers().keySet());
    }

    /** {@code s} as a desired state: its owned objects, and only the namespaces rveth works in. */
    private static State scoped(State s, Manifest manifest, Set<Netns> peers) {
        Set<Netns> scope = new TreeSet<>(peers);
        scope.add(manifest.host().netns());
        scope.addAll(containerNetns(manifest));
        Map<Netns, Namespace> namespaces = new TreeMap<>();
        s.namespaces().forEach((k, v) -> {
            if (scope.contains(k)) namespaces.put(k, v);
        });
        return new State(namespaces, s.veths(), s.addresses(), s.routes(), s.sysctls(), Map.of(), List.of(), List.of(), s.rules(),
                s.proxies(), List.of());
    }

    private String rollBack(Manifest manifest, State before) {
        Netns host = manifest.host().netns();
        try {
            State now = readScoped(manifest);
            // A netns that vanished during the apply (its container stopped) took its veths
            // with it; rollback restores the rest and does not make an empty netns anew.
            Set<Netns> vanished = new TreeSet<>(before.namespaces().keySet());
            vanished.removeAll(now.namespaces().keySet());
            if (vanished.contains(host)) return "not rolled back: the host netns " + host + " vanished during the apply";
            String lost = vanished.isEmpty() ? "" : "; netns " + String.join(", ", vanished.stream().map(Netns::name).toList())
                    + " vanished during the apply, and " + (vanished.size() == 1 ? "its veths" : "their veths") + " cannot be restored";
            before = without(before, vanished);
            Plan back = Planner.plan(before, now, host);
            new Executor(ip).apply(back, host, b -> { });
            // The planner never deletes namespaces; this run's new ones go here.
            List<Command> drop = new ArrayList<>();
            for (Netns ns : now.namespaces().keySet()) {
                if (!before.namespaces().containsKey(ns)) drop.add(Command.ip(null, "netns", "del", ns.name()));
            }
            if (!drop.isEmpty()) {
                new Executor(ip).apply(new Plan(List.of(new Change(Action.DELETE, "rollback", "netns", host, "", "",
                        drop, 0, null, null))), host, b -> { });
            }
            Plan left = Planner.plan(before, readScoped(manifest), host);
            return (left.isEmpty()
                    ? "rolled back " + back.changes().size() + " change" + (back.changes().size() == 1 ? "" : "s")
                    + (drop.isEmpty() ? "" : " and " + drop.size() + " new netns") + "; the previous state is back (verified)"
                    : "rolled back, but " + left.changes().size() + " difference(s) from the previous state remain: "
                    + String.join(", ", left.changes().stream().map(Change::address).toList())) + lost;
        } catch (RuntimeException e) {
            return "ROLLBACK FAILED: " + e.getMessage() + "; the host is as the failure left it";
        }
    }

    /**
     * {@code s} less the namespaces in {@code gone} and what the kernel removed with them:
     * the veths whose peer was there, and what sat on or routed through their host ends.
     * Rules and proxy entries stay: the kernel keeps them when the link or address goes.
     */
    static State without(State s, Set<Netns> gone) {
        if (gone.isEmpty()) return s;
        Set<String> lostEnds = new java.util.HashSet<>();
        for (io.rveth.model.Veth v : s.veths()) if (gone.contains(v.peer().netns())) lostEnds.add(v.host().name());
        Map<Netns, Namespace> namespaces = new TreeMap<>(s.namespaces());
        namespaces.keySet().removeAll(gone);
        return new State(namespaces,
                s.veths().stream().filter(v -> !lostEnds.contains(v.host().name())).toList(),
                s.addresses().stream().filter(a -> !gone.contains(a.netns()) && !lostEnds.contains(a.dev())).toList(),
                s.routes().stream().filter(r -> !gone.contains(r.netns()) && !lostEnds.contains(r.dev())).toList(),
                s.sysctls().stream().filter(x -> !gone.contains(x.netns()) && !lostEnds.contains(x.device())).toList(),
                s.foreignLinks(), s.foreignRoutes(), s.foreignAddresses(), s.rules(), s.proxies(), s.foreignProxies());
    }

    /**
     * Checks that neither the manifest nor the owned live state changed since a saved plan
     * was made.
     *
     * @throws StalePlanException when either differs; nothing has been changed
     */
    public void checkFresh(PlanJson.Document saved, Manifest manifest) {
        if (!saved.host().equals(manifest.host().netns())) {
            throw new StalePlanException("the plan is for host netns " + saved.host() + ", the manifest now says "
                    + manifest.host().netns());
        }
        // As the plan was made: with --adopt, the adopted objects count as owned.
        Planned now = plan(manifest, saved.adopt());
        if (!StateDigest.of(now.desired()).equals(saved.manifestDigest())) {
            throw new StalePlanException("the manifest changed since the plan was made");
        }
        if (!StateDigest.of(now.live(), now.desired()).equals(saved.liveDigest())) {
            throw new StalePlanException("the live state rveth owns changed since the plan was made");
        }
    }

    /** A saved plan no longer matches the manifest or the host; run plan again. */
    public static final class StalePlanException extends RuntimeException {
        public StalePlanException(String why) {
            super("Saved plan is stale: " + why + "; nothing was changed. Run plan again.");
        }
    }
}
