package io.rveth.plan;

import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Endpoint;
import io.rveth.model.Namespace;
import io.rveth.model.Netns;
import io.rveth.model.PolicyRule;
import io.rveth.model.Prefix;
import io.rveth.model.ProxyNeighbour;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The diff: desired and live {@link State} in, an ordered {@link Plan} out. Pure and
 * deterministic: no I/O, and the same two states always give the same plan.
 *
 * <p>Order is dependency order, in stages: namespaces first; then deletes (routes,
 * addresses, links); then creates and updates (links, link settings, addresses, the
 * containers' gateway routes, their default routes, host routes). The executor keeps this
 * order within each namespace's batch.
 *
 * <p>Minimality: objects are matched by the kernel's identity (a route by destination and
 * metric, an address by interface and IP), so an attribute change is one in-place command.
 * A veth is re-created only when its peer is in the wrong namespace or has the wrong name;
 * then it is a delete (with the deletes) and a create (with the creates).
 * What sits on a link being deleted goes with it and gets no command of its own.
 */
public final class Planner {
    static final int NETNS = 0;
    static final int DELETE_ROUTES = 1;
    static final int DELETE_ADDRESSES = 2;
    static final int DELETE_LINKS = 3;
    static final int CREATE_LINKS = 4;
    static final int LINK_SETTINGS = 5;
    static final int ADDRESSES = 6;
    static final int GATEWAY_ROUTES = 7;
    static final int DEFAULT_ROUTES = 8;
    static final int HOST_ROUTES = 9;
    /** IPv6 anti-spoofing: allow rules before the drop rule, so a container is never cut off midway. */
    static final int ALLOW_RULES = 10;
    static final int DROP_RULES = 11;
    /** Proxy ARP/NDP on the uplink: published last, once the way to the container works. */
    static final int PROXIES = 12;
    /** rtnetlink's protocol of connected routes, which the kernel adds for an address. */
    static final int RTPROT_KERNEL = 2;
    /** rtnetlink's protocol of routes learned from router advertisements. */
    static final int RTPROT_RA = 9;

    private final Netns host;
    private final boolean adopt;
    private final List<Change> changes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    /** Links whose live contents vanish with them: deleted or re-created in this plan. */
    private final Set<LinkRef> gone = new HashSet<>();
    private final List<String> proxyWarnings = new ArrayList<>();

    private record LinkRef(Netns netns, String name) {
    }

    /** A setting's identity: its netns and key. */
    private record SettingRef(Netns netns, String key) {
    }

    private Planner(Netns host, boolean adopt) {
        this.host = host;
        this.adopt = adopt;
    }

    /** A planner with empty change and problem lists that sees the links this one marked gone. */
    private Planner sharingDecisions() {
        Planner other = new Planner(host, adopt);
        other.gone.addAll(gone);
        return other;
    }

    /**
     * @param host the netns of the host side (labels objects as "host", runs first)
     * @throws PlanException when the live host makes the manifest impossible, e.g. a name
     *                       held by a link rveth does not own; nothing has been changed
     */
    public static Plan plan(State desired, State live, Netns host) {
        return plan(desired, live, host, false);
    }

    /**
     * @param adopt take over objects rveth does not own yet where they match the manifest
     *              (a route of another protocol with the same destination is replaced with
     *              rveth's); without it, such an object is a conflict and nothing changes
     */
    public static Plan plan(State desired, State live, Netns host, boolean adopt) {
        Planner p = new Planner(host, adopt);
        p.namespaces(desired, live);
        p.veths(desired, live);
        // Routes depend only on what veths() decided, and are half of a large plan's time:
        // they go to a second thread, into lists of their own, while this one does the rest.
        // The plan is sorted below, so the result does not depend on timing.
        Planner forRoutes = p.sharingDecisions();
        java.util.concurrent.CompletableFuture<Void> routes = java.util.concurrent.CompletableFuture.runAsync(
                () -> forRoutes.routes(desired, live));
        p.addresses(desired, live);
        p.sysctls(desired, live);
        p.rules(desired, live);
        p.proxies(desired, live);
        try {
            routes.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
        p.changes.addAll(forRoutes.changes);
        p.problems.addAll(forRoutes.problems);
        if (!p.problems.isEmpty()) throw new PlanException(p.problems.stream().distinct().sorted().toList());
        List<Change> ordered = new ArrayList<>(p.changes);
        ordered.sort(Comparator.comparingInt(Change::stage).thenComparing(Change::netns, p::byPlace).thenComparing(Change::address));
        List<String> warnings = p.warnings(ordered, live);
        warnings.addAll(p.proxyWarnings);
        return new Plan(ordered, warnings);
    }

    /**
     * Turning on IPv6 forwarding makes the kernel ignore router advertisements on every
     * interface whose accept_ra is 1 (the default): a host that learned its own default
     * route from an RA would lose it when the route expires. The routes it learned that
     * way ("proto ra", 9) name the interfaces at risk.
     */
    private List<String> warnings(List<Change> ordered, State live) {
        List<String> out = new ArrayList<>();
        boolean v6Forwarding = ordered.stream().anyMatch(c -> c.after() instanceof Sysctl s
                && s.netns().equals(host) && s.key().equals("net.ipv6.conf.all.forwarding"));
        if (!v6Forwarding) return out;
        new java.util.TreeSet<>(live.foreignRoutes().stream()
                .filter(r -> r.netns().equals(host) && r.protocol() == RTPROT_RA && !r.dev().isEmpty())
                .map(Route::dev).toList())
                .forEach(dev -> out.add("enabling IPv6 forwarding in netns " + host + " stops " + dev
                        + " from accepting router advertisements, and its routes came from them; set net.ipv6.conf."
                        + dev + ".accept_ra=2 first, or give it a static route"));
        return out;
    }

    /** The host side first (and the netns-less changes with it), then the containers by name. */
    private int byPlace(Netns a, Netns b) {
        boolean aHost = a == null || a.equals(host);
        boolean bHost = b == null || b.equals(host);
        if (aHost || bHost) return Boolean.compare(bHost, aHost);
        return a.compareTo(b);
    }

    /** "host" for the host side, the netns name elsewhere: how plans name places. */
    public String label(Netns netns) {
        return netns.equals(host) ? "host" : netns.name();
    }

    // ---- namespaces ------------------------------------------------------------------------

    private void namespaces(State desired, State live) {
        for (Namespace want : desired.namespaces().values()) {
            Netns ns = want.netns();
            Namespace have = live.namespaces().get(ns);
            if (have == null && want.managed()) {
                changes.add(new Change(Action.CREATE, "netns[\"" + ns.name() + "\"]", "netns", ns, "netns " + ns.name()
                        + " with lo up", "", List.of(Command.ip(null, "netns", "add", ns.name()),
                        Command.ip(ns, "link", "set", "dev", "lo", "up")), NETNS, null, want));
            } else if (have == null) {
                String who = ns.equals(host) ? "host.netns" : "a container's netns";
                problems.add("netns " + ns.name() + " (" + who + ") does not exist; create it (ip netns add "
                        + ns.name() + ") or set create-netns: true");
            } else if (want.managed() && !have.managed()) {
                changes.add(new Change(Action.UPDATE, "link." + label(ns) + "[\"lo\"]", "link", ns, "lo", "lo is down",
                        List.of(Command.ip(ns, "link", "set", "dev", "lo", "up")), LINK_SETTINGS, have, want));
            }
        }
    }

    // ---- veth pairs --------------------------------------------------------------------------

    private void veths(State desired, State live) {
        Map<String, Veth> want = byHostName(desired.veths());
        Map<String, Veth> have = byHostName(live.veths());
        for (Veth v : have.values()) {
            if (!want.containsKey(v.host().name())) {
                markGone(v);
                changes.add(new Change(Action.DELETE, vethAddress(v), "veth", host, describe(v), "",
                        List.of(Command.ip(host, "link", "del", "dev", v.host().name())), DELETE_LINKS, v, null));
            }
        }
        for (Veth v : want.values()) {
            Veth old = have.get(v.host().name());
            if (old == null) {
                if (taken(live, host, v.host().name())) {
                    problems.add("host-name " + v.host().name() + " (" + vethAddress(v) + ") is taken by a link rveth does not own in netns "
                            + host + "; rename host-name in the manifest, remove that link, or use --adopt if it is this container's veth");
                    continue;
                }
                if (peerTaken(live, v)) continue;
                changes.add(new Change(Action.CREATE, vethAddress(v), "veth", host, describe(v), "", create(v), CREATE_LINKS, null, v));
                continue;
            }
            String moved = !old.peer().netns().equals(v.peer().netns())
                    ? "peer is in netns " + old.peer().netns() + ", manifest wants " + v.peer().netns()
                    : !old.peer().name().equals(v.peer().name())
                    ? "peer is named " + old.peer().name() + ", manifest wants " + v.peer().name() : null;
            if (moved != null) {
                if (peerTaken(live, v)) continue;
                markGone(old);
                // Two changes, not one -/+: the old pair goes with the other deletes, so that
                // no create meets a peer name an old pair still holds (two interfaces that
                // swap host-names each need the other's peer name free).
                changes.add(new Change(Action.DELETE, vethAddress(v), "veth", host, describe(old), "re-created below: " + moved,
                        List.of(Command.ip(host, "link", "del", "dev", old.host().name())), DELETE_LINKS, old, null));
                changes.add(new Change(Action.CREATE, vethAddress(v), "veth", host, describe(v), moved, create(v), CREATE_LINKS, null, v));
                continue;
            }
            settings(v, old);
        }
    }

    private boolean peerTaken(State live, Veth v) {
        Endpoint peer = v.peer();
        if (!taken(live, peer.netns(), peer.name())) return false;
        problems.add("netns " + peer.netns() + " already has a link named " + peer.name()
                + " that rveth does not own, so " + vethAddress(v) + " cannot put its peer there; rename the interface in the manifest, or remove that link");
        return true;
    }

    private static boolean taken(State live, Netns ns, String name) {
        return live.foreignLinks().getOrDefault(ns, Set.of()).contains(name);
    }

    private void markGone(Veth v) {
        gone.add(new LinkRef(v.host().netns(), v.host().name()));
        gone.add(new LinkRef(v.peer().netns(), v.peer().name()));
    }

    /** Creates the pair with its peer already in the container, then raises both ends. */
    private List<Command> create(Veth v) {
        List<String> add = new ArrayList<>(List.of("link", "add", "name", v.host().name()));
        v.host().mtu().ifPresent(m -> add.addAll(List.of("mtu", String.valueOf(m))));
        v.host().mac().ifPresent(m -> add.addAll(List.of("address", m))); // only when re-making a known pair (rollback)
        add.addAll(List.of("type", "veth", "peer", "name", v.peer().name()));
        v.peer().mtu().ifPresent(m -> add.addAll(List.of("mtu", String.valueOf(m))));
        v.peer().mac().ifPresent(m -> add.addAll(List.of("address", m)));
        add.addAll(List.of("netns", v.peer().netns().name()));
        return List.of(Command.ip(host, add),
                Command.ip(host, "link", "set", "dev", v.host().name(), "alias", v.alias(), "up"),
                Command.ip(v.peer().netns(), "link", "set", "dev", v.peer().name(), "up"));
    }

    /** In-place settings: at most one {@code link set} per end. */
    private void settings(Veth want, Veth have) {
        List<String> reasons = new ArrayList<>();
        List<String> hostSet = endpointSettings(want.host(), have.host(), reasons, "host end");
        if (!want.alias().equals(have.alias())) {
            hostSet.addAll(List.of("alias", want.alias()));
            reasons.add("alias " + quote(have.alias()) + " -> " + quote(want.alias()));
        }
        List<String> peerSet = endpointSettings(want.peer(), have.peer(), reasons, "peer");
        if (reasons.isEmpty()) return;
        List<Command> commands = new ArrayList<>();
        if (!hostSet.isEmpty()) commands.add(linkSet(host, want.host().name(), hostSet));
        if (!peerSet.isEmpty()) commands.add(linkSet(want.peer().netns(), want.peer().name(), peerSet));
        changes.add(new Change(Action.UPDATE, vethAddress(want), "veth", host, describe(want),
                String.join(", ", reasons), commands, LINK_SETTINGS, have, want));
    }

    private static List<String> endpointSettings(Endpoint want, Endpoint have, List<String> reasons, String which) {
        List<String> args = new ArrayList<>();
        if (want.mtu().isPresent() && !want.mtu().equals(have.mtu())) {
            args.addAll(List.of("mtu", String.valueOf(want.mtu().getAsInt())));
            reasons.add(which + " mtu " + (have.mtu().isPresent() ? have.mtu().getAsInt() : "?") + " -> " + want.mtu().getAsInt());
        }
        if (want.mac().isPresent() && !want.mac().equals(have.mac())) {
            args.addAll(List.of("address", want.mac().get()));
            reasons.add(which + " mac " + have.mac().orElse("?") + " -> " + want.mac().get());
        }
        if (want.up() && !have.up()) {
            args.add("up");
            reasons.add(which + " is down");
        }
        return args;
    }

    private static Command linkSet(Netns ns, String dev, List<String> settings) {
        List<String> args = new ArrayList<>(List.of("link", "set", "dev", dev));
        args.addAll(settings);
        return Command.ip(ns, args);
    }

    private static Map<String, Veth> byHostName(List<Veth> veths) {
        Map<String, Veth> out = new HashMap<>(veths.size() * 4 / 3 + 1);
        for (Veth v : veths) out.put(v.host().name(), v);
        return out;
    }

    private String vethAddress(Veth v) {
        return "veth." + v.container() + "[\"" + v.ifname() + "\"]";
    }

    private String describe(Veth v) {
        StringBuilder s = new StringBuilder(v.host().name() + " <-> " + v.ifname() + " in " + v.peer().netns());
        v.host().mtu().ifPresent(m -> s.append(", mtu ").append(m));
        v.peer().mac().ifPresent(m -> s.append(", mac ").append(m));
        return s.toString();
    }

    // ---- addresses ---------------------------------------------------------------------------

    /** An address on a link, whatever its prefix length: a new length is a replacement, not a new address. */
    private record AddressKey(Netns netns, String dev, Cidr ip) {
        @Override
        public boolean equals(Object o) {
            return o instanceof AddressKey k && ip.sameAddress(k.ip) && dev.equals(k.dev) && netns.equals(k.netns);
        }

        @Override
        public int hashCode() {
            return (netns.hashCode() * 31 + dev.hashCode()) * 31 + ip.addressHash();
        }
    }

    private void addresses(State desired, State live) {
        // As with routes: one pass over each list, the desired marking their live matches.
        Map<AddressKey, Address> have = new HashMap<>((live.addresses().size() + desired.addresses().size() / 8) * 4 / 3 + 1);
        for (Address a : live.addresses()) if (!isGone(a.netns(), a.dev())) have.put(key(a), a);
        List<Address> missing = new ArrayList<>();
        for (Address a : desired.addresses()) {
            Address old = have.put(key(a), PLANNED_ADDRESS);
            if (old == PLANNED_ADDRESS) continue; // the same address twice: the first one counts
            if (old == null) {
                missing.add(a);
            } else if (old.cidr().length() != a.cidr().length()) {
                changes.add(change(Action.REPLACE, old, a, "prefix length /" + old.cidr().length() + " -> /" + a.cidr().length(),
                        List.of(addressCommand("del", old), addressCommand("add", a)), ADDRESSES));
            }
        }
        for (Address a : have.values()) {
            if (a != PLANNED_ADDRESS) changes.add(change(Action.DELETE, a, null, "", List.of(addressCommand("del", a)), DELETE_ADDRESSES));
        }
        if (missing.isEmpty()) return;
        // A container address held by another link in its netns (the host side's gateway
        // addresses are shared by design).
        Map<AddressKey, Address> heldElsewhere = new HashMap<>();
        for (Address f : live.foreignAddresses()) {
            if (!f.netns().equals(host)) heldElsewhere.putIfAbsent(new AddressKey(f.netns(), "", f.cidr()), f);
        }
        for (Address a : missing) {
            Address held = a.netns().equals(host) ? null : heldElsewhere.get(new AddressKey(a.netns(), "", a.cidr()));
            if (held != null) {
                problems.add(addressLabel(a) + ": " + a.cidr().ip().toCanonicalString() + " is already on " + held.dev()
                        + " in netns " + a.netns() + ", a link rveth does not own; remove it there first");
                continue;
            }
            changes.add(change(Action.CREATE, null, a, "", List.of(addressCommand("add", a)), ADDRESSES));
        }
    }

    /** Marks an address key as planned in {@link #addresses}; never a real address. */
    private static final Address PLANNED_ADDRESS = new Address(Netns.CURRENT, "", Cidr.parse("0.0.0.0/0"));

    private static AddressKey key(Address a) {
        return new AddressKey(a.netns(), a.dev(), a.cidr());
    }

    /** IPv6 addresses skip duplicate address detection: usable at once, as on a point-to-point link. */
    private static Command addressCommand(String verb, Address a) {
        List<String> args = new ArrayList<>(List.of("address", verb, a.cidr().toString(), "dev", a.dev()));
        if (verb.equals("add") && a.cidr().family() == io.rveth.model.Family.V6) args.add("nodad");
        return Command.ip(a.netns(), args);
    }

    private String addressLabel(Address a) {
        return "address." + label(a.netns()) + "." + a.dev() + "[\"" + a.cidr() + "\"]";
    }

    private Change change(Action action, Address before, Address after, String reason, List<Command> commands, int stage) {
        Address a = after != null ? after : before;
        return new Change(action, addressLabel(a), "address",
                a.netns(), a.cidr() + " on " + a.dev(), reason, commands, stage, before, after);
    }

    // ---- routes ------------------------------------------------------------------------------

    private void routes(State desired, State live) {
        // One pass over the live routes and one over the desired, in list order: each desired
        // route marks its live match (or its own key, when there is none) as planned, and
        // what is left unmarked is deleted. At 100,000 routes the planner's time is mostly
        // these lookups, and memory: a walk in list order touches routes as they lie in the
        // heap, where a walk over a map's entries jumps about.
        Map<Route.Key, Route> have = new HashMap<>((live.routes().size() + desired.routes().size() / 8) * 4 / 3 + 1);
        for (Route r : live.routes()) if (!isGone(r.netns(), r.dev())) have.put(r.key(), r);
        HostGuard guard = new HostGuard(live);
        List<Route> missing = new ArrayList<>();
        for (Route r : desired.routes()) {
            Route.Key key = r.key();
            Route old = have.put(key, PLANNED);
            if (old == PLANNED) continue; // the same route twice: the first one counts
            if (r.netns().equals(host)) guard.check(r).ifPresent(problems::add);
            if (old == null) {
                missing.add(r);
            } else if (!old.dev().equals(r.dev()) || !old.via().equals(r.via()) || old.onlink() != r.onlink()) {
                changes.add(change(Action.UPDATE, old, r, describe(old) + " -> " + describe(r), routeCommand("replace", r), stage(r)));
            }
        }
        for (Route r : have.values()) {
            if (r != PLANNED) changes.add(change(Action.DELETE, r, null, "", routeCommand("del", r), DELETE_ROUTES));
        }
        if (missing.isEmpty()) return;
        // Routes to add: does another owner's route already hold the place?
        Map<Route.Key, Route> others = new HashMap<>();
        Set<Route.Key> wanted = new HashSet<>();
        for (Route r : missing) wanted.add(r.key());
        for (Route r : live.foreignRoutes()) {
            Route.Key key = r.key();
            if (wanted.contains(key) && !isGone(r.netns(), r.dev())) others.putIfAbsent(key, r);
        }
        for (Route r : missing) {
            Route other = others.get(r.key());
            if (other != null && adopt) {
                changes.add(change(Action.UPDATE, other, r, "adopt: take over " + describe(other) + " proto " + other.protocol(),
                        routeCommand("replace", r), stage(r)));
            } else if (other != null) {
                problems.add(routeLabel(r) + ": " + r.dst() + " is already routed " + describe(other) + " proto " + other.protocol()
                        + " in netns " + r.netns() + ", by something rveth does not own; remove that route, or use --adopt to take it over");
            } else {
                changes.add(change(Action.CREATE, null, r, "", routeCommand("add", r), stage(r)));
            }
        }
    }

    /** Marks a route key as planned in {@link #routes}; never a real route. */
    private static final Route PLANNED = new Route(Netns.CURRENT, Prefix.any(io.rveth.model.Family.V4), "", java.util.Optional.empty(),
            false, 0, 0);

    /** Whether the link {@code dev} in {@code ns} goes in this plan (most plans delete none). */
    private boolean isGone(Netns ns, String dev) {
        return !gone.isEmpty() && gone.contains(new LinkRef(ns, dev));
    }

    private int stage(Route r) {
        if (r.netns().equals(host)) return HOST_ROUTES;
        return r.dst().isDefault() ? DEFAULT_ROUTES : GATEWAY_ROUTES;
    }

    private static Command routeCommand(String verb, Route r) {
        List<String> args = new ArrayList<>(List.of("route", verb, r.dst().toString()));
        r.via().ifPresent(v -> args.addAll(List.of("via", v.toCanonicalString())));
        if (r.onlink()) args.add("onlink");
        args.addAll(List.of("dev", r.dev()));
        if (r.via().isEmpty() && r.dst().family() == io.rveth.model.Family.V4 && !verb.equals("del")) {
            args.addAll(List.of("scope", "link"));
        }
        args.addAll(List.of("proto", String.valueOf(r.protocol())));
        if (r.metric() != Route.defaultMetric(r.dst().family())) args.addAll(List.of("metric", String.valueOf(r.metric())));
        return Command.ip(r.netns(), args);
    }

    private String routeLabel(Route r) {
        boolean plain = r.metric() == Route.defaultMetric(r.dst().family());
        return "route." + label(r.netns()) + "[\"" + r.dst() + "\"" + (plain ? "" : ", " + r.metric()) + "]";
    }

    /**
     * What a host route must never cover: the host's own addresses, its default gateways,
     * and whole networks connected to links rveth does not own. Routing those to a
     * container would cut the host off. (A prefix inside a connected network is fine: that
     * is how container addresses on the uplink's subnet are published.)
     */
    private final class HostGuard {
        private final List<Address> ownAddresses = new ArrayList<>();
        private final List<Route> gateways = new ArrayList<>();
        private final List<Route> connected = new ArrayList<>();

        HostGuard(State live) {
            for (Address a : live.foreignAddresses()) {
                if (a.netns().equals(host) && !a.cidr().isLinkLocalV6()) ownAddresses.add(a);
            }
            for (Route r : live.foreignRoutes()) {
                if (!r.netns().equals(host)) continue;
                if (r.dst().isDefault() && r.via().isPresent()) gateways.add(r);
                if (r.protocol() == RTPROT_KERNEL && !r.dev().isEmpty() && !r.dst().isDefault()
                        && !r.dst().isLinkLocalV6()) {
                    connected.add(r);
                }
            }
        }

        java.util.Optional<String> check(Route r) {
            for (Address a : ownAddresses) {
                if (r.dst().contains(a.cidr())) {
                    return java.util.Optional.of(routeLabel(r) + ": " + r.dst() + " covers " + a.cidr().ip().toCanonicalString()
                            + ", an address of " + a.dev() + " on the host; routing it to a container would cut the host off. Route a narrower prefix");
                }
            }
            for (Route g : gateways) {
                if (r.dst().contains(g.via().get())) {
                    return java.util.Optional.of(routeLabel(r) + ": " + r.dst() + " covers " + g.via().get().toCanonicalString()
                            + ", the host's default gateway (via " + g.dev() + "); route a narrower prefix");
                }
            }
            for (Route n : connected) {
                if (r.dst().contains(n.dst())) {
                    return java.util.Optional.of(routeLabel(r) + ": " + r.dst() + " covers " + n.dst() + ", the network connected to "
                            + n.dev() + " on the host; route a narrower prefix");
                }
            }
            return java.util.Optional.empty();
        }
    }

    private Change change(Action action, Route before, Route after, String reason, Command command, int stage) {
        Route r = after != null ? after : before;
        return new Change(action, routeLabel(r),
                "route", r.netns(), describe(r), reason, List.of(command), stage, before, after);
    }

    private static String describe(Route r) {
        String dev = r.dev().isEmpty() ? "with no device (multipath, blackhole or another special route)" : "dev " + r.dev();
        return (r.via().map(v -> "via " + v.toCanonicalString() + (r.onlink() ? " onlink " : " ")).orElse("")) + dev;
    }

    // ---- IPv6 policy rules ---------------------------------------------------------------------

    /**
     * Rules name their interface, so unlike routes they outlive a deleted veth: their
     * deletes join that veth's delete, which stays one change in the plan.
     */
    private void rules(State desired, State live) {
        // As with routes: each desired rule takes its match out of the live set; the rest goes.
        Set<PolicyRule> have = new HashSet<>(live.rules());
        List<PolicyRule> missing = new ArrayList<>();
        Set<PolicyRule> seen = new HashSet<>();
        for (PolicyRule r : desired.rules()) {
            if (seen.add(r) && !have.remove(r)) missing.add(r);
        }
        // Sorted only for a deterministic plan; few rules are ever stale.
        for (PolicyRule r : have.stream().sorted(Comparator.comparing(PolicyRule::toString)).toList()) {
            Change rule = ruleChange(Action.DELETE, r, null, "del", DELETE_ROUTES);
            int owner = vethDelete(r.iif());
            if (owner < 0) {
                changes.add(rule);
            } else {
                Change c = changes.get(owner);
                List<Command> commands = new ArrayList<>(c.commands());
                commands.addAll(rule.commands());
                changes.set(owner, new Change(c.action(), c.address(), c.type(), c.netns(), c.summary(), c.reason(),
                        commands, c.stage(), c.before(), c.after()));
            }
        }
        for (PolicyRule r : missing) changes.add(ruleChange(Action.CREATE, null, r, "add", r.blackhole() ? DROP_RULES : ALLOW_RULES));
    }

    /** The index of the plan's delete of the veth whose host end is {@code hostName}, or -1. */
    private int vethDelete(String hostName) {
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            if (c.action() == Action.DELETE && c.before() instanceof Veth v && v.host().name().equals(hostName)) return i;
        }
        return -1;
    }

    private Change ruleChange(Action action, PolicyRule before, PolicyRule after, String verb, int stage) {
        PolicyRule r = after != null ? after : before;
        List<String> args = new ArrayList<>(List.of("rule", verb, "from", r.from().toString(), "iif", r.iif()));
        args.addAll(r.blackhole() ? List.of("blackhole") : List.of("lookup", "main"));
        args.addAll(List.of("pref", String.valueOf(r.priority()), "proto", String.valueOf(r.protocol())));
        String what = r.blackhole() ? "drop every other source" : "allow from " + r.from();
        return new Change(action, "rule." + label(r.netns()) + "[\"" + r.iif() + "\", \"" + (r.blackhole() ? "drop" : r.from()) + "\"]",
                "rule", r.netns(), "packets arriving on " + r.iif() + ": " + what, "", List.of(Command.ip6(r.netns(), args)),
                stage, before, after);
    }

    // ---- proxy ARP/NDP on the uplink ------------------------------------------------------------

    /**
     * The manifest asks for an entry per container address on the uplink; only those inside
     * one of the uplink's subnets (its live addresses) are published, as a LAN neighbour can
     * only ask for addresses on its own subnet. rveth's entries elsewhere are pruned.
     */
    private void proxies(State desired, State live) {
        Map<String, ProxyNeighbour> have = new TreeMap<>();
        for (ProxyNeighbour p : live.proxies()) have.put(p.key(), p);
        Map<String, ProxyNeighbour> others = new HashMap<>();
        for (ProxyNeighbour p : live.foreignProxies()) others.put(p.key(), p);
        Map<String, ProxyNeighbour> want = new TreeMap<>();
        Set<String> uplinks = new java.util.TreeSet<>();
        for (ProxyNeighbour p : desired.proxies()) uplinks.add(p.dev());
        // A host netns that is missing and not rveth's to create is reported on its own.
        boolean hostMissing = !host.isCurrent() && !live.namespaces().containsKey(host)
                && !(desired.namespaces().containsKey(host) && desired.namespaces().get(host).managed());
        for (String uplink : uplinks) {
            if (hostMissing) break;
            java.util.Optional<Veth> owned = live.veths().stream().filter(v -> v.host().name().equals(uplink)).findFirst();
            if (owned.isPresent()) {
                problems.add("host.uplink " + uplink + " is a veth rveth owns (" + vethAddress(owned.get()) + "), not the host's"
                        + " link to its LAN; name that link as host.uplink");
                continue;
            }
            if (!live.foreignLinks().getOrDefault(host, Set.of()).contains(uplink)) {
                problems.add("host.uplink " + uplink + " does not exist in netns " + host + "; name the host's link to its LAN"
                        + " (" + ipIn(host) + "link), or remove host.uplink");
                continue;
            }
            List<Prefix> subnets = live.foreignAddresses().stream()
                    .filter(a -> a.netns().equals(host) && a.dev().equals(uplink) && !a.cidr().ip().isLinkLocal())
                    .map(a -> a.cidr().network()).distinct().sorted().toList();
            int published = 0;
            for (ProxyNeighbour p : desired.proxies()) {
                if (!p.dev().equals(uplink)) continue;
                List<Prefix> on = subnets.stream().filter(n -> n.contains(p.address())).toList();
                if (on.isEmpty()) continue;
                java.util.Optional<String> special = on.stream().map(n -> special(p.address(), n)).flatMap(java.util.Optional::stream).findFirst();
                if (special.isPresent()) {
                    problems.add(proxyLabel(p) + ": " + p.address().toCanonicalString() + " is " + special.get() + " on " + uplink
                            + ", which the LAN does not send to a single host; give the container another address");
                    continue;
                }
                want.put(p.key(), p);
                published++;
            }
            if (published == 0) {
                proxyWarnings.add("host.uplink " + uplink + " has no subnet that holds a container address (its subnets: "
                        + (subnets.isEmpty() ? "none" : String.join(", ", subnets.stream().map(Prefix::toString).toList()))
                        + "), so the host answers ARP/NDP there for none of them");
            }
        }
        for (ProxyNeighbour p : have.values()) {
            if (!want.containsKey(p.key())) changes.add(proxyChange(Action.DELETE, p, null, "", "del", DELETE_ROUTES));
        }
        for (ProxyNeighbour p : want.values()) {
            if (have.containsKey(p.key())) continue;
            ProxyNeighbour theirs = others.get(p.key());
            if (theirs != null && !adopt) {
                problems.add(proxyLabel(p) + ": " + p.dev() + " already has a proxy entry for " + p.address().toCanonicalString()
                        + " that rveth does not own (protocol " + theirs.protocol() + "); remove it (" + ipIn(host) + "neigh del proxy "
                        + p.address().toCanonicalString() + " dev " + p.dev() + ") or plan with --adopt");
                continue;
            }
            changes.add(proxyChange(theirs == null ? Action.CREATE : Action.UPDATE, theirs, p,
                    theirs == null ? "" : "adopted: protocol " + theirs.protocol() + " -> " + p.protocol(), "add", PROXIES));
        }
    }

    /**
     * What a LAN does not address to one neighbour: an IPv4 subnet's network and broadcast
     * addresses, and an IPv6 subnet's router anycast address (the host answers it itself).
     */
    private static java.util.Optional<String> special(inet.ipaddr.IPAddress a, Prefix subnet) {
        inet.ipaddr.IPAddress net = subnet.network();
        if (a.isIPv4() && subnet.length() <= 30) {
            if (a.equals(net.getLower().withoutPrefixLength())) return java.util.Optional.of("the network address of " + subnet);
            if (a.equals(net.getUpper().withoutPrefixLength())) return java.util.Optional.of("the broadcast address of " + subnet);
        }
        if (a.isIPv6() && subnet.length() <= 126 && a.equals(net.getLower().withoutPrefixLength())) {
            return java.util.Optional.of("the subnet-router anycast address of " + subnet);
        }
        return java.util.Optional.empty();
    }

    /** "ip -n NETNS " as an operator types it, or "ip " in the current netns. */
    private static String ipIn(Netns ns) {
        return "ip " + (ns.isCurrent() ? "" : "-n " + ns.name() + " ");
    }

    private Change proxyChange(Action action, ProxyNeighbour before, ProxyNeighbour after, String reason, String verb, int stage) {
        ProxyNeighbour p = after != null ? after : before;
        List<String> args = new ArrayList<>(List.of("neigh", verb, "proxy", p.address().toCanonicalString(), "dev", p.dev()));
        if (verb.equals("add")) args.addAll(List.of("protocol", String.valueOf(p.protocol())));
        String what = "answer " + (p.family() == io.rveth.model.Family.V4 ? "ARP" : "NDP") + " for " + p.address().toCanonicalString()
                + " on " + p.dev();
        return new Change(action, proxyLabel(p), "proxy", p.netns(), what, reason, List.of(Command.ip(p.netns(), args)), stage, before, after);
    }

    private String proxyLabel(ProxyNeighbour p) {
        return "proxy." + label(p.netns()) + "." + p.dev() + "[\"" + p.address().toCanonicalString() + "\"]";
    }

    // ---- sysctls -----------------------------------------------------------------------------

    private void sysctls(State desired, State live) {
        Map<SettingRef, Sysctl> have = new HashMap<>();
        for (Sysctl s : live.sysctls()) have.put(new SettingRef(s.netns(), s.key()), s);
        Set<SettingRef> seen = new HashSet<>();
        for (Sysctl s : desired.sysctls()) {
            SettingRef key = new SettingRef(s.netns(), s.key());
            if (!seen.add(key)) continue;
            // A link made anew in this plan starts from the kernel's defaults.
            Sysctl old = !gone.isEmpty() && s.device() != null && gone.contains(new LinkRef(s.netns(), s.device()))
                    ? null : have.get(key);
            if (old != null && Objects.equals(old.value(), s.value())) continue;
            Action action = old == null ? Action.CREATE : Action.UPDATE;
            String reason = old == null ? "" : old.value() + " -> " + s.value();
            changes.add(new Change(action, "sysctl." + label(s.netns()) + "[\"" + s.key() + "\"]", "sysctl", s.netns(),
                    s.key() + " = " + s.value(), reason, List.of(Command.sysctl(s.netns(), s.path(), s.value())), LINK_SETTINGS, old, s));
        }
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
