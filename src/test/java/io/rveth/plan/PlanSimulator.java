package io.rveth.plan;

import inet.ipaddr.IPAddress;
import io.rveth.model.Address;
import io.rveth.model.Endpoint;
import io.rveth.model.Family;
import io.rveth.model.Namespace;
import io.rveth.model.Netns;
import io.rveth.model.PolicyRule;
import io.rveth.model.Prefix;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies a {@link Plan} to a live {@link State} at the model level, change by change in plan
 * order, from each change's before and after objects: create adds after, delete removes
 * before, update and replace swap them, and deleting a veth takes everything on both ends
 * with it (as the kernel does). Strict like the kernel: a change whose object is not there
 * (delete, update) or already there (create), a link name already taken, a device that does
 * not exist yet, or an IPv4 next hop with no route to it fails with {@link Refused}, naming
 * the step. That catches plans in the wrong order, not only plans with the wrong content.
 * IPv6 policy rules name their interface and outlive it, as in the kernel: a veth's delete
 * removes them only through the {@code rule del} commands the planner puts in that change.
 */
final class PlanSimulator {
    /** The kernel (model) refused a step of the plan. */
    static final class Refused extends RuntimeException {
        final int step;
        final Change change;
        final String why;

        Refused(int step, Change c, String why) {
            super("step " + step + " (" + c.action().symbol() + " " + c.address() + "): " + why);
            this.step = step;
            this.change = c;
            this.why = why;
        }
    }

    private record AddressKey(Netns netns, String dev, String ip) {
        static AddressKey of(Address a) {
            return new AddressKey(a.netns(), a.dev(), a.cidr().ip().toCanonicalString());
        }
    }

    private record LinkRef(Netns netns, String name) {
    }

    private final Map<Netns, Namespace> namespaces;
    private final Map<String, Veth> veths = new TreeMap<>();
    private final Map<AddressKey, Address> addresses = new LinkedHashMap<>();
    private final Map<Route.Key, Route> routes = new LinkedHashMap<>();
    private final Map<String, Sysctl> sysctls = new LinkedHashMap<>();
    private final Set<PolicyRule> rules = new LinkedHashSet<>();
    private final Map<Netns, Set<String>> foreignLinks = new HashMap<>();
    private final List<Route> foreignRoutes;
    private final List<Address> foreignAddresses;
    private int step;

    private PlanSimulator(State live) {
        namespaces = new HashMap<>(live.namespaces());
        for (Veth v : live.veths()) veths.put(v.host().name(), v);
        for (Address a : live.addresses()) addresses.put(AddressKey.of(a), a);
        for (Route r : live.routes()) routes.put(r.key(), r);
        for (Sysctl s : live.sysctls()) sysctls.put(s.netns().name() + "\0" + s.key(), s);
        rules.addAll(live.rules());
        live.foreignLinks().forEach((ns, names) -> foreignLinks.put(ns, new HashSet<>(names)));
        foreignRoutes = new ArrayList<>(live.foreignRoutes());
        foreignAddresses = new ArrayList<>(live.foreignAddresses());
    }

    /** The live state after {@code plan}; throws {@link Refused} at the first step the kernel would refuse. */
    static State apply(State live, Plan plan) {
        PlanSimulator sim = new PlanSimulator(live);
        for (Change c : plan.changes()) {
            sim.step++;
            sim.apply(c);
        }
        return sim.state();
    }

    private State state() {
        return new State(namespaces, List.copyOf(veths.values()), List.copyOf(addresses.values()), List.copyOf(routes.values()),
                List.copyOf(sysctls.values()), foreignLinks, foreignRoutes, foreignAddresses, List.copyOf(rules));
    }

    private void apply(Change c) {
        switch (c.type()) {
            case "netns" -> netns(c);
            case "link" -> loopback(c);
            case "veth" -> veth(c);
            case "address" -> address(c);
            case "route" -> route(c);
            case "sysctl" -> sysctl(c);
            case "rule" -> rule(c);
            default -> refuse(c, "unknown change type " + c.type());
        }
    }

    private void refuse(Change c, String why) {
        throw new Refused(step, c, why);
    }

    // ---- namespaces --------------------------------------------------------------------------

    private void netns(Change c) {
        Namespace want = (Namespace) c.after();
        if (c.action() != Action.CREATE || want == null) refuse(c, "a netns change is only ever a create");
        if (namespaces.containsKey(want.netns())) refuse(c, "netns " + want.netns() + " exists");
        namespaces.put(want.netns(), new Namespace(want.netns(), true)); // created with lo up
        foreignLinks.put(want.netns(), new HashSet<>(Set.of("lo")));
    }

    private void loopback(Change c) {
        Namespace want = (Namespace) c.after();
        if (!namespaces.containsKey(want.netns())) refuse(c, "netns " + want.netns() + " does not exist");
        if (!Objects.equals(namespaces.get(want.netns()), c.before())) refuse(c, "before is not the live netns: " + c.before());
        namespaces.put(want.netns(), new Namespace(want.netns(), true));
    }

    // ---- links -------------------------------------------------------------------------------

    /** Every link in {@code ns}: owned host ends and peers, and foreign links. */
    private boolean linkExists(Netns ns, String name) {
        if (foreignLinks.getOrDefault(ns, Set.of()).contains(name)) return true;
        return ownedLinkExists(ns, name);
    }

    private boolean ownedLinkExists(Netns ns, String name) {
        for (Veth v : veths.values()) {
            if (v.host().netns().equals(ns) && v.host().name().equals(name)) return true;
            if (v.peer().netns().equals(ns) && v.peer().name().equals(name)) return true;
        }
        return false;
    }

    private boolean up(Netns ns, String name) {
        for (Veth v : veths.values()) {
            if (v.host().netns().equals(ns) && v.host().name().equals(name)) return v.host().up();
            if (v.peer().netns().equals(ns) && v.peer().name().equals(name)) return v.peer().up();
        }
        return true;
    }

    private void veth(Change c) {
        Veth before = (Veth) c.before();
        Veth after = (Veth) c.after();
        switch (c.action()) {
            case CREATE -> create(c, after);
            case DELETE -> delete(c, before);
            case REPLACE -> {
                delete(c, before);
                create(c, after);
            }
            case UPDATE -> {
                Veth have = live(c, before);
                veths.put(have.host().name(), new Veth(merge(have.host(), after.host()), merge(have.peer(), after.peer()), after.alias()));
            }
        }
        // Rules outlive a link (they name it); the planner deletes a removed veth's rules in its change.
        for (Command cmd : c.commands()) {
            if (cmd.args().size() > 1 && cmd.args().get(0).equals("rule")) {
                if (!cmd.args().get(1).equals("del")) refuse(c, "a veth change adds a rule: " + cmd.shell());
                PolicyRule r = rule(c, cmd);
                if (!rules.remove(r)) refuse(c, "no rule " + r + " to delete");
            }
        }
    }

    private Veth live(Change c, Veth before) {
        if (before == null) refuse(c, "no before");
        Veth have = veths.get(before.host().name());
        if (have == null) refuse(c, "veth " + before.host().name() + " does not exist");
        if (!have.equals(before)) refuse(c, "before " + before + " is not the live veth " + have);
        return have;
    }

    private void create(Change c, Veth v) {
        if (v == null) refuse(c, "no after");
        if (!namespaces.containsKey(v.host().netns()) && !v.host().netns().isCurrent()) refuse(c, "host netns does not exist");
        if (!namespaces.containsKey(v.peer().netns())) refuse(c, "peer netns " + v.peer().netns() + " does not exist");
        if (linkExists(v.host().netns(), v.host().name())) refuse(c, "a link " + v.host().name() + " exists in " + v.host().netns());
        if (linkExists(v.peer().netns(), v.peer().name())) refuse(c, "a link " + v.peer().name() + " exists in " + v.peer().netns());
        veths.put(v.host().name(), new Veth(made(v.host(), "02:00:5e:00:00:01"), made(v.peer(), "02:00:5e:00:00:02"), v.alias()));
    }

    /** A new link: the kernel's mtu and a random mac where the plan gives none; up (the create raises both ends). */
    private static Endpoint made(Endpoint e, String kernelMac) {
        return new Endpoint(e.netns(), e.name(), OptionalInt.of(e.mtu().orElse(1500)), Optional.of(e.mac().orElse(kernelMac)), true);
    }

    /** {@code link set}: what the desired end names, over what the live end has. */
    private static Endpoint merge(Endpoint have, Endpoint want) {
        return new Endpoint(have.netns(), have.name(), want.mtu().isPresent() ? want.mtu() : have.mtu(),
                want.mac().isPresent() ? want.mac() : have.mac(), have.up() || want.up());
    }

    private void delete(Change c, Veth before) {
        Veth have = live(c, before);
        veths.remove(have.host().name());
        gone(new LinkRef(have.host().netns(), have.host().name()));
        if (!have.peer().name().equals("?")) gone(new LinkRef(have.peer().netns(), have.peer().name()));
        sysctls.values().removeIf(s -> s.netns().equals(have.host().netns()) && have.host().name().equals(s.device()));
    }

    /** What the kernel removes with a link: its addresses and every route through it. */
    private void gone(LinkRef link) {
        addresses.values().removeIf(a -> a.netns().equals(link.netns()) && a.dev().equals(link.name()));
        routes.values().removeIf(r -> r.netns().equals(link.netns()) && r.dev().equals(link.name()));
        foreignRoutes.removeIf(r -> r.netns().equals(link.netns()) && r.dev().equals(link.name()));
    }

    // ---- addresses ---------------------------------------------------------------------------

    private void address(Change c) {
        Address before = (Address) c.before();
        Address after = (Address) c.after();
        if (before != null) {
            Address have = addresses.get(AddressKey.of(before));
            if (!before.equals(have)) refuse(c, "before " + before + " is not live (" + have + ")");
            if (foreignAddresses.contains(before)) refuse(c, "touches a foreign address " + before);
            addresses.remove(AddressKey.of(before));
        }
        if (after != null) {
            if (!ownedLinkExists(after.netns(), after.dev())) refuse(c, "no owned link " + after.dev() + " in " + after.netns());
            if (addresses.containsKey(AddressKey.of(after))) refuse(c, "address exists: " + addresses.get(AddressKey.of(after)));
            addresses.put(AddressKey.of(after), after);
        }
    }

    // ---- routes ------------------------------------------------------------------------------

    private void route(Change c) {
        Route before = (Route) c.before();
        Route after = (Route) c.after();
        switch (c.action()) {
            case CREATE -> add(c, after);
            case DELETE -> {
                if (!before.equals(routes.get(before.key()))) refuse(c, "before " + before + " is not live (" + routes.get(before.key()) + ")");
                routes.remove(before.key());
            }
            case UPDATE, REPLACE -> {
                // ip route replace: whatever has the key is replaced (an adopted foreign route too).
                boolean owned = before.equals(routes.get(before.key()));
                boolean foreign = foreignRoutes.contains(before);
                if (!owned && !foreign) refuse(c, "before " + before + " is not live");
                if (!before.key().equals(after.key())) refuse(c, "replace changes the key: " + before + " -> " + after);
                routes.remove(before.key());
                foreignRoutes.remove(before);
                add(c, after);
            }
        }
    }

    private void add(Change c, Route r) {
        if (!ownedLinkExists(r.netns(), r.dev())) refuse(c, "no owned link " + r.dev() + " in " + r.netns());
        if (routes.containsKey(r.key())) refuse(c, "route exists: " + routes.get(r.key()));
        // IPv4 refuses a route through a link that is administratively down ("Nexthop device is not up").
        if (r.dst().family() == Family.V4 && !up(r.netns(), r.dev())) refuse(c, "link " + r.dev() + " in " + r.netns() + " is down");
        for (Route f : foreignRoutes) if (f.key().equals(r.key())) refuse(c, "route exists (foreign): " + f);
        if (r.via().isPresent() && !r.onlink() && !(r.via().get().isIPv6() && r.via().get().isLinkLocal()) && !reachable(r)) {
            refuse(c, "next hop " + r.via().get().toCanonicalString() + " has no route on " + r.dev() + " (not onlink)");
        }
        routes.put(r.key(), r);
    }

    /** The kernel's check of a gateway: a route (or connected network) on the same device covers it. */
    private boolean reachable(Route r) {
        IPAddress via = r.via().get();
        for (Route x : routes.values()) if (x.netns().equals(r.netns()) && x.dev().equals(r.dev()) && x.via().isEmpty() && x.dst().contains(via)) return true;
        for (Route x : foreignRoutes) if (x.netns().equals(r.netns()) && x.dev().equals(r.dev()) && x.dst().contains(via)) return true;
        for (Address a : addresses.values()) if (a.netns().equals(r.netns()) && a.dev().equals(r.dev()) && a.cidr().network().contains(via)) return true;
        return false;
    }

    // ---- IPv6 rules --------------------------------------------------------------------------

    private void rule(Change c) {
        PolicyRule before = (PolicyRule) c.before();
        PolicyRule after = (PolicyRule) c.after();
        if (before != null && !rules.remove(before)) refuse(c, "no rule " + before + " to delete");
        if (after != null && !rules.add(after)) refuse(c, "rule exists: " + after);
        for (Command cmd : c.commands()) {
            PolicyRule r = rule(c, cmd);
            if (!r.equals(after != null ? after : before)) refuse(c, "the command " + cmd.shell() + " is not the rule " + (after != null ? after : before));
        }
    }

    /** The rule an {@code ip -6 rule add|del from P iif I (lookup main|blackhole) pref N proto X} names. */
    private PolicyRule rule(Change c, Command cmd) {
        List<String> a = cmd.args();
        if (!cmd.ipv6() || a.size() < 11 || !a.get(0).equals("rule") || !a.get(2).equals("from") || !a.get(4).equals("iif")) {
            refuse(c, "not an IPv6 rule command: " + cmd.shell());
        }
        boolean blackhole = a.get(6).equals("blackhole");
        int at = blackhole ? 7 : 8;
        if (!blackhole && !(a.get(6).equals("lookup") && a.get(7).equals("main"))) refuse(c, "odd rule action: " + cmd.shell());
        if (!a.get(at).equals("pref") || !a.get(at + 2).equals("proto")) refuse(c, "odd rule command: " + cmd.shell());
        return new PolicyRule(cmd.netns(), Integer.parseInt(a.get(at + 1)), a.get(5), Prefix.parse(a.get(3)), blackhole,
                Integer.parseInt(a.get(at + 3)));
    }

    // ---- sysctls -----------------------------------------------------------------------------

    private void sysctl(Change c) {
        Sysctl after = (Sysctl) c.after();
        String key = after.netns().name() + "\0" + after.key();
        if (!Objects.equals(sysctls.get(key), c.before())) refuse(c, "before " + c.before() + " is not live (" + sysctls.get(key) + ")");
        if (after.device() != null && !ownedLinkExists(after.netns(), after.device())) {
            refuse(c, "no owned link " + after.device() + " for " + after.key());
        }
        if (!namespaces.containsKey(after.netns()) && !after.netns().isCurrent()) refuse(c, "netns " + after.netns() + " does not exist");
        sysctls.put(key, after);
    }

    // ---- comparing as the planner does ---------------------------------------------------------

    /**
     * How {@code live} differs from {@code desired}, as the planner compares: namespaces
     * exist (with lo up when managed); the same veths by host name, with the peer's netns,
     * name and alias, the manifest's mtu and mac where it sets them, both ends up; the same
     * addresses by netns, device and IP, with their lengths; the same routes by key, with
     * device, next hop and onlink; the same IPv6 rules; every desired sysctl's value (rveth
     * never lowers others).
     */
    static List<String> differences(State desired, State live) {
        List<String> out = new ArrayList<>();
        for (Namespace n : desired.namespaces().values()) {
            Namespace have = live.namespaces().get(n.netns());
            if (have == null) out.add("netns " + n.netns() + " missing");
            else if (n.managed() && !have.managed()) out.add("netns " + n.netns() + " has lo down");
        }
        Map<String, Veth> want = new TreeMap<>();
        for (Veth v : desired.veths()) want.put(v.host().name(), v);
        Map<String, Veth> have = new TreeMap<>();
        for (Veth v : live.veths()) have.put(v.host().name(), v);
        if (!want.keySet().equals(have.keySet())) out.add("veths " + have.keySet() + ", desired " + want.keySet());
        for (Veth w : want.values()) {
            Veth h = have.get(w.host().name());
            if (h == null) continue;
            if (!h.peer().netns().equals(w.peer().netns()) || !h.peer().name().equals(w.peer().name()) || !h.alias().equals(w.alias())
                    || w.host().mtu().isPresent() && !w.host().mtu().equals(h.host().mtu())
                    || w.peer().mtu().isPresent() && !w.peer().mtu().equals(h.peer().mtu())
                    || w.host().mac().isPresent() && !w.host().mac().equals(h.host().mac())
                    || w.peer().mac().isPresent() && !w.peer().mac().equals(h.peer().mac())
                    || w.host().up() && !h.host().up() || w.peer().up() && !h.peer().up()) {
                out.add("veth " + h + ", desired " + w);
            }
        }
        Map<AddressKey, Address> wantA = new HashMap<>();
        for (Address a : desired.addresses()) wantA.put(AddressKey.of(a), a);
        Map<AddressKey, Address> haveA = new HashMap<>();
        for (Address a : live.addresses()) haveA.put(AddressKey.of(a), a);
        for (AddressKey k : union(wantA.keySet(), haveA.keySet())) {
            Address w = wantA.get(k);
            Address h = haveA.get(k);
            if (w == null || h == null || w.cidr().length() != h.cidr().length()) out.add("address " + h + ", desired " + w);
        }
        Map<Route.Key, Route> wantR = new HashMap<>();
        for (Route r : desired.routes()) wantR.put(r.key(), r);
        Map<Route.Key, Route> haveR = new HashMap<>();
        for (Route r : live.routes()) haveR.put(r.key(), r);
        for (Route.Key k : union(wantR.keySet(), haveR.keySet())) {
            Route w = wantR.get(k);
            Route h = haveR.get(k);
            if (w == null || h == null || !w.dev().equals(h.dev()) || !w.via().equals(h.via()) || w.onlink() != h.onlink()) {
                out.add("route " + h + ", desired " + w);
            }
        }
        if (!new HashSet<>(desired.rules()).equals(new HashSet<>(live.rules()))) {
            Set<PolicyRule> missing = new HashSet<>(desired.rules());
            missing.removeAll(live.rules());
            Set<PolicyRule> extra = new HashSet<>(live.rules());
            extra.removeAll(desired.rules());
            out.add("rules: missing " + missing + ", extra " + extra);
        }
        Map<String, Sysctl> haveS = new HashMap<>();
        for (Sysctl s : live.sysctls()) haveS.put(s.netns().name() + "\0" + s.key(), s);
        for (Sysctl s : desired.sysctls()) {
            Sysctl h = haveS.get(s.netns().name() + "\0" + s.key());
            if (h == null || !h.value().equals(s.value())) out.add("sysctl " + h + ", desired " + s);
        }
        return out;
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }
}
