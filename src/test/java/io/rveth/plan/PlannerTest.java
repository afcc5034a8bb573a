package io.rveth.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.manifest.DesiredState;
import io.rveth.manifest.ManifestReader;
import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Endpoint;
import io.rveth.model.Namespace;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The diff on plain values: no kernel, no files. */
class PlannerTest {
    static final Netns HOST = new Netns("h");
    static final Netns WEB = new Netns("web");

    static final String MANIFEST = """
            version: 1
            host: {netns: h, create-netns: true}
            containers:
              web:
                create-netns: true
                interfaces:
                  eth0:
                    host-name: veth-web
                    mtu: 1500
                    addresses: [203.0.113.10/32, 10.5.5.1/24, 2001:db8:10::1/128]
                    routes: [198.51.100.0/28]
              db:
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [203.0.113.20/32]
            """;

    static State desired(String yaml) throws Exception {
        return DesiredState.of(ManifestReader.parse("test.yaml", yaml));
    }

    /** Live state as the kernel reports a host that already matches {@code desired}. */
    static State converged(State desired) {
        Map<Netns, Namespace> ns = new HashMap<>();
        desired.namespaces().forEach((k, v) -> ns.put(k, new Namespace(k, true)));
        List<Veth> veths = desired.veths().stream().map(v -> new Veth(
                new Endpoint(v.host().netns(), v.host().name(), OptionalInt.of(v.host().mtu().orElse(1500)), Optional.of("aa:bb:cc:dd:ee:ff"), true),
                new Endpoint(v.peer().netns(), v.peer().name(), OptionalInt.of(v.peer().mtu().orElse(1500)),
                        Optional.of(v.peer().mac().orElse("02:11:22:33:44:55")), true), v.alias())).toList();
        return new State(ns, veths, desired.addresses(), desired.routes(), desired.sysctls(), Map.of(), List.of(), List.of(),
                desired.rules());
    }

    static State with(State s, UnaryOperator<List<Address>> addresses, UnaryOperator<List<Route>> routes) {
        return new State(s.namespaces(), s.veths(), addresses.apply(new ArrayList<>(s.addresses())),
                routes.apply(new ArrayList<>(s.routes())), s.sysctls(), s.foreignLinks(), s.foreignRoutes(), s.foreignAddresses(),
                s.rules());
    }

    static List<String> lines(Plan plan) {
        return plan.changes().stream().map(c -> c.action().symbol() + " " + c.address()).toList();
    }

    @Test
    void convergedHostNeedsNothing() throws Exception {
        State want = desired(MANIFEST);
        assertTrue(Planner.plan(want, converged(want), HOST).isEmpty());
    }

    /**
     * A desired state may name one kernel object twice (a rollback target, a state built by
     * hand): it is planned once, whether it exists, differs or is missing.
     */
    @Test
    void anObjectNamedTwiceIsPlannedOnce() throws Exception {
        State want = desired(MANIFEST);
        State twice = with(want, a -> { a.addAll(List.copyOf(a)); return a; }, r -> { r.addAll(List.copyOf(r)); return r; });
        assertTrue(Planner.plan(twice, converged(want), HOST).isEmpty());
        State nothing = new State(Map.of(), List.of(), List.of(), List.of(), List.of(), Map.of());
        assertEquals(lines(Planner.plan(want, nothing, HOST)), lines(Planner.plan(twice, nothing, HOST)));
        State drifted = with(converged(want), a -> List.of(), r -> {
            r.replaceAll(x -> new Route(x.netns(), x.dst(), x.dev() + "x", x.via(), x.onlink(), x.protocol(), x.metric()));
            return r;
        });
        assertEquals(lines(Planner.plan(want, drifted, HOST)), lines(Planner.plan(twice, drifted, HOST)));
    }

    @Test
    void fromScratchFollowsDependencyOrder() throws Exception {
        State want = desired(MANIFEST);
        State nothing = new State(Map.of(), List.of(), List.of(), List.of(), List.of(), Map.of());
        Plan plan = Planner.plan(want, nothing, HOST);
        List<Integer> stages = plan.changes().stream().map(Change::stage).toList();
        List<Integer> sorted = new ArrayList<>(stages);
        sorted.sort(null);
        assertEquals(sorted, stages, "changes are in stage order");
        // The host side first, then containers by name.
        assertEquals(List.of("+ netns[\"h\"]", "+ netns[\"db\"]", "+ netns[\"web\"]"), lines(plan).subList(0, 3));
        // The veth before anything on it; host routes last.
        int veth = lines(plan).indexOf("+ veth.web[\"eth0\"]");
        int address = lines(plan).indexOf("+ address.web.eth0[\"203.0.113.10/32\"]");
        int gatewayRoute = lines(plan).indexOf("+ route.web[\"169.254.0.1/32\"]");
        int defaultRoute = lines(plan).indexOf("+ route.web[\"0.0.0.0/0\"]");
        int hostRoute = lines(plan).indexOf("+ route.host[\"203.0.113.10/32\"]");
        assertTrue(0 <= veth && veth < address && address < gatewayRoute && gatewayRoute < defaultRoute && defaultRoute < hostRoute,
                lines(plan).toString());
        assertEquals(plan.changes().size(), plan.toAdd());
    }

    @Test
    void sameInputsGiveTheSamePlanByteForByte() throws Exception {
        State want = desired(MANIFEST);
        State live = with(converged(want), a -> a.subList(0, 1), r -> r.subList(2, r.size()));
        assertEquals(Planner.plan(want, live, HOST), Planner.plan(desired(MANIFEST), live, HOST));
    }

    @Test
    void oneNewAddressIsOneAddressAddPlusItsAutoRoute() throws Exception {
        State before = desired(MANIFEST);
        State after = desired(MANIFEST.replace("[203.0.113.10/32, ", "[203.0.113.10/32, 203.0.113.11/32, "));
        Plan plan = Planner.plan(after, converged(before), HOST);
        assertEquals(List.of("+ address.web.eth0[\"203.0.113.11/32\"]", "+ route.host[\"203.0.113.11/32\"]"), lines(plan));
        assertEquals("address add 203.0.113.11/32 dev eth0", plan.changes().get(0).commands().get(0).line());
        assertEquals("route add 203.0.113.11/32 dev veth-web scope link proto 147", plan.changes().get(1).commands().get(0).line());
    }

    @Test
    void mtuChangeIsOneLinkSetPerEnd() throws Exception {
        State live = converged(desired(MANIFEST));
        Plan plan = Planner.plan(desired(MANIFEST.replace("mtu: 1500", "mtu: 9000")), live, HOST);
        assertEquals(List.of("~ veth.web[\"eth0\"]"), lines(plan));
        assertEquals(List.of("ip -n h link set dev veth-web mtu 9000", "ip -n web link set dev eth0 mtu 9000"),
                plan.changes().get(0).commands().stream().map(Command::shell).toList());
        assertEquals(1, plan.toChange());
    }

    @Test
    void removedContainerIsOneVethDeleteWithNothingElse() throws Exception {
        State live = converged(desired(MANIFEST));
        String withoutDb = MANIFEST.substring(0, MANIFEST.indexOf("  db:"));
        Plan plan = Planner.plan(desired(withoutDb), live, HOST);
        assertEquals(List.of("- veth.db[\"eth0\"]"), lines(plan));
        assertEquals("link del dev rv-db", plan.changes().get(0).commands().get(0).line());
    }

    @Test
    void routeDeletedByHandComesBack() throws Exception {
        State want = desired(MANIFEST);
        Prefix lost = Prefix.parse("198.51.100.0/28");
        State live = with(converged(want), a -> a, r -> {
            r.removeIf(x -> x.dst().equals(lost));
            return r;
        });
        assertEquals(List.of("+ route.host[\"198.51.100.0/28\"]"), lines(Planner.plan(want, live, HOST)));
    }

    @Test
    void strayOwnedRouteIsDeleted() throws Exception {
        State want = desired(MANIFEST);
        State live = with(converged(want), a -> a, r -> {
            r.add(new Route(HOST, Prefix.parse("10.99.0.0/16"), "veth-web", Optional.empty(), false, 147, 0));
            return r;
        });
        Plan plan = Planner.plan(want, live, HOST);
        assertEquals(List.of("- route.host[\"10.99.0.0/16\"]"), lines(plan));
        assertEquals("route del 10.99.0.0/16 dev veth-web proto 147", plan.changes().get(0).commands().get(0).line());
    }

    @Test
    void routeOnTheWrongDeviceIsReplacedInPlace() throws Exception {
        State want = desired(MANIFEST);
        Prefix moved = Prefix.parse("198.51.100.0/28");
        State live = with(converged(want), a -> a, r -> r.stream()
                .map(x -> x.dst().equals(moved) ? new Route(HOST, moved, "rv-db", Optional.empty(), false, 147, 0) : x).toList());
        Plan plan = Planner.plan(want, live, HOST);
        assertEquals(List.of("~ route.host[\"198.51.100.0/28\"]"), lines(plan));
        assertEquals("route replace 198.51.100.0/28 dev veth-web scope link proto 147", plan.changes().get(0).commands().get(0).line());
    }

    @Test
    void prefixLengthChangeReplacesTheAddress() throws Exception {
        State live = converged(desired(MANIFEST));
        Plan plan = Planner.plan(desired(MANIFEST.replace("10.5.5.1/24", "10.5.5.1/25")), live, HOST);
        assertTrue(lines(plan).contains("-/+ address.web.eth0[\"10.5.5.1/25\"]"), lines(plan).toString());
        Change replace = plan.changes().stream().filter(c -> c.action() == Action.REPLACE).findFirst().orElseThrow();
        assertEquals(List.of("address del 10.5.5.1/24 dev eth0", "address add 10.5.5.1/25 dev eth0"),
                replace.commands().stream().map(Command::line).toList());
    }

    @Test
    void peerInTheWrongNetnsIsRecreatedWithEverythingOnIt() throws Exception {
        State want = desired(MANIFEST);
        State conv = converged(want);
        Netns other = new Netns("other");
        List<Veth> veths = conv.veths().stream().map(v -> v.host().name().equals("veth-web")
                ? new Veth(v.host(), new Endpoint(other, "eth0", v.peer().mtu(), v.peer().mac(), true), v.alias()) : v).toList();
        // What was on the old pair is gone with it; live shows only the host end's routes.
        State live = new State(conv.namespaces(), veths,
                conv.addresses().stream().filter(a -> !a.netns().equals(WEB)).toList(),
                conv.routes().stream().filter(r -> !r.netns().equals(WEB)).toList(), conv.sysctls(), Map.of(), List.of(), List.of(), conv.rules());
        Plan plan = Planner.plan(want, live, HOST);
        // The old pair goes with the deletes, the new one comes with the creates.
        Change delete = plan.changes().stream().filter(c -> c.type().equals("veth") && c.action() == Action.DELETE).findFirst().orElseThrow();
        Change create = plan.changes().stream().filter(c -> c.type().equals("veth") && c.action() == Action.CREATE).findFirst().orElseThrow();
        assertEquals("veth.web[\"eth0\"]", delete.address());
        assertEquals("veth.web[\"eth0\"]", create.address());
        assertEquals("re-created below: peer is in netns other, manifest wants web", delete.reason());
        assertEquals("peer is in netns other, manifest wants web", create.reason());
        assertEquals(List.of("link del dev veth-web"), delete.commands().stream().map(Command::line).toList());
        assertEquals(Planner.DELETE_LINKS, delete.stage());
        assertTrue(create.commands().get(0).line().startsWith("link add name veth-web "), create.commands().toString());
        // The host end's addresses, routes and rp_filter are re-made on the new pair.
        assertTrue(lines(plan).contains("+ address.host.veth-web[\"169.254.0.1/32\"]"), lines(plan).toString());
        assertTrue(lines(plan).contains("+ route.host[\"203.0.113.10/32\"]"), lines(plan).toString());
        assertTrue(lines(plan).contains("+ sysctl.host[\"net.ipv4.conf.veth-web.rp_filter\"]"), lines(plan).toString());
        assertTrue(lines(plan).contains("+ address.web.eth0[\"203.0.113.10/32\"]"), lines(plan).toString());
    }

    @Test
    void nameHeldByAnUnownedLinkIsAnErrorAndNoPlan() throws Exception {
        State want = desired(MANIFEST);
        State live = new State(Map.of(HOST, new Namespace(HOST, true), WEB, new Namespace(WEB, true),
                new Netns("db"), new Namespace(new Netns("db"), true)),
                List.of(), List.of(), List.of(), List.of(), Map.of(HOST, Set.of("lo", "veth-web")));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(want, live, HOST));
        assertTrue(e.getMessage().contains("host-name veth-web"), e.getMessage());
        assertTrue(e.getMessage().contains("does not own"), e.getMessage());
    }

    @Test
    void missingNetnsWithoutCreateIsAnErrorNamingIt() throws Exception {
        State want = desired(MANIFEST.replace("  web:\n    create-netns: true", "  web:\n    create-netns: false"));
        State live = new State(Map.of(HOST, new Namespace(HOST, true)), List.of(), List.of(), List.of(), List.of(), Map.of());
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(want, live, HOST));
        assertEquals(List.of("netns web (a container's netns) does not exist; create it (ip netns add web) or set create-netns: true"),
                e.problems());
    }

    @Test
    void weakRpFilterIsRaised() throws Exception {
        State want = desired(MANIFEST);
        State conv = converged(want);
        List<Sysctl> sysctls = conv.sysctls().stream().map(s -> s.key().endsWith("veth-web.rp_filter")
                ? new Sysctl(s.netns(), s.key(), "0") : s).toList();
        State live = new State(conv.namespaces(), conv.veths(), conv.addresses(), conv.routes(), sysctls, Map.of(), List.of(), List.of(), conv.rules());
        Plan plan = Planner.plan(want, live, HOST);
        assertEquals(List.of("~ sysctl.host[\"net.ipv4.conf.veth-web.rp_filter\"]"), lines(plan));
        assertEquals("ip -n h netns exec h sysctl -q -w net/ipv4/conf/veth-web/rp_filter=1",
                plan.changes().get(0).commands().get(0).shell());
    }

    @Test
    void downLoopbackInAManagedNetnsIsRaised() throws Exception {
        State want = desired(MANIFEST);
        State conv = converged(want);
        Map<Netns, Namespace> ns = new HashMap<>(conv.namespaces());
        ns.put(WEB, new Namespace(WEB, false));
        State live = new State(ns, conv.veths(), conv.addresses(), conv.routes(), conv.sysctls(), Map.of(), List.of(), List.of(), conv.rules());
        assertEquals(List.of("~ link.web[\"lo\"]"), lines(Planner.plan(want, live, HOST)));
    }

    @Test
    void ipv6DefaultRouteUsesTheKernelsMetric() throws Exception {
        State want = desired(MANIFEST);
        Route v6default = want.routes().stream().filter(r -> r.dst().isDefault() && r.dst().family() == io.rveth.model.Family.V6)
                .findFirst().orElseThrow();
        assertEquals(1024, v6default.metric());
        assertEquals(new Cidr(v6default.via().orElseThrow(), 128).toString(), "fe80::1/128");
    }

    @Test
    void ipv6ForwardingWarnsAboutInterfacesLivingOnRouterAdvertisements() throws Exception {
        State want = desired(MANIFEST);
        State nothing = new State(Map.of(HOST, new Namespace(HOST, true)), List.of(), List.of(), List.of(), List.of(), Map.of(),
                List.of(new Route(HOST, Prefix.any(io.rveth.model.Family.V6), "uplink",
                        Optional.of(new inet.ipaddr.IPAddressString("fe80::99").getAddress()),
                        false, 9, 1024)), List.of());
        Plan plan = Planner.plan(want, nothing, HOST);
        assertEquals(1, plan.warnings().size(), plan.warnings().toString());
        assertTrue(plan.warnings().get(0).contains("stops uplink from accepting router advertisements"), plan.warnings().get(0));
        // Forwarding already on: nothing new to warn about.
        State on = new State(nothing.namespaces(), List.of(), List.of(), List.of(),
                List.of(new Sysctl(HOST, "net.ipv6.conf.all.forwarding", "1")), Map.of(), nothing.foreignRoutes(), List.of());
        assertTrue(Planner.plan(want, on, HOST).warnings().isEmpty());
    }
}
