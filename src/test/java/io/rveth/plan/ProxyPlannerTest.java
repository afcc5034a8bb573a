package io.rveth.plan;

import static io.rveth.plan.PlannerTest.converged;
import static io.rveth.plan.PlannerTest.desired;
import static io.rveth.plan.PlannerTest.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inet.ipaddr.IPAddressString;
import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Netns;
import io.rveth.model.ProxyNeighbour;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Proxy ARP/NDP on host.uplink: which addresses are published, pruned, refused. */
class ProxyPlannerTest {
    static final Netns HOST = PlannerTest.HOST;

    static final String MANIFEST = """
            version: 1
            host: {netns: h, create-netns: true, uplink: up0}
            containers:
              web:
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [203.0.113.10/32, 10.5.5.1/24, 2001:db8:10::1/128]
              db:
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [198.51.100.20/32]
            """;

    static ProxyNeighbour proxy(String ip, int protocol) {
        return new ProxyNeighbour(HOST, "up0", new IPAddressString(ip).getAddress(), protocol);
    }

    /**
     * Converged veths, addresses, routes and settings, and the uplink up0 on 203.0.113.0/24
     * and 2001:db8:10::/64 (plus its link-local address), with {@code proxies} on it.
     */
    static State live(State want, List<ProxyNeighbour> proxies, List<ProxyNeighbour> foreign) {
        State c = converged(want);
        List<Address> up0 = List.of(new Address(HOST, "up0", Cidr.parse("203.0.113.1/24")),
                new Address(HOST, "up0", Cidr.parse("2001:db8:10::ffff/64")), new Address(HOST, "up0", Cidr.parse("fe80::1/64")));
        return new State(c.namespaces(), c.veths(), c.addresses(), c.routes(), c.sysctls(), Map.of(HOST, Set.of("lo", "up0")),
                List.of(), up0, c.rules(), proxies, foreign);
    }

    @Test
    void containerAddressesInsideTheUplinksSubnetsArePublishedLast() throws Exception {
        State want = desired(MANIFEST);
        Plan plan = Planner.plan(want, live(want, List.of(), List.of()), HOST);
        // 10.5.5.1 and 198.51.100.20 are on no subnet of up0: nobody on that LAN asks for them.
        assertEquals(List.of("+ proxy.host.up0[\"2001:db8:10::1\"]", "+ proxy.host.up0[\"203.0.113.10\"]"), lines(plan));
        assertEquals(List.of("ip -n h neigh add proxy 203.0.113.10 dev up0 protocol 147"),
                plan.changes().get(1).commands().stream().map(Command::shell).toList());
        assertEquals("answer NDP for 2001:db8:10::1 on up0", plan.changes().get(0).summary());
        assertTrue(plan.changes().stream().allMatch(c -> c.stage() == Planner.PROXIES));
        assertTrue(plan.warnings().isEmpty(), plan.warnings().toString());
    }

    @Test
    void publishedEntriesNeedNothing() throws Exception {
        State want = desired(MANIFEST);
        assertTrue(Planner.plan(want, live(want, List.of(proxy("203.0.113.10", 147), proxy("2001:db8:10::1", 147)), List.of()), HOST)
                .isEmpty());
    }

    @Test
    void theUplinkSettingsAreOperationsOfThePlan() throws Exception {
        State want = desired(MANIFEST);
        State c = live(want, List.of(proxy("203.0.113.10", 147), proxy("2001:db8:10::1", 147)), List.of());
        List<Sysctl> sysctls = new ArrayList<>(c.sysctls());
        sysctls.removeIf(s -> s.key().equals("net.ipv6.conf.up0.proxy_ndp"));
        sysctls.add(new Sysctl(HOST, "net.ipv6.conf.up0.proxy_ndp", "0"));
        State live = new State(c.namespaces(), c.veths(), c.addresses(), c.routes(), sysctls, c.foreignLinks(), c.foreignRoutes(),
                c.foreignAddresses(), c.rules(), c.proxies(), c.foreignProxies());
        Plan plan = Planner.plan(want, live, HOST);
        assertEquals(List.of("~ sysctl.host[\"net.ipv6.conf.up0.proxy_ndp\"]"), lines(plan));
        assertEquals("0 -> 1", plan.changes().get(0).reason());
        assertTrue(want.sysctls().contains(new Sysctl(HOST, "net.ipv4.conf.up0.forwarding", "1")), want.sysctls().toString());
        assertTrue(want.sysctls().contains(new Sysctl(HOST, "net.ipv6.conf.up0.forwarding", "1")), want.sysctls().toString());
    }

    @Test
    void rvethsOtherEntriesArePrunedFirstAndOthersEntriesLeftAlone() throws Exception {
        State want = desired(MANIFEST);
        Plan plan = Planner.plan(want, live(want, List.of(proxy("203.0.113.10", 147), proxy("2001:db8:10::1", 147),
                proxy("203.0.113.66", 147)), List.of(proxy("203.0.113.77", 0))), HOST);
        assertEquals(List.of("- proxy.host.up0[\"203.0.113.66\"]"), lines(plan));
        assertEquals("neigh del proxy 203.0.113.66 dev up0", plan.changes().get(0).commands().get(0).line());
        assertEquals(Planner.DELETE_ROUTES, plan.changes().get(0).stage());
    }

    @Test
    void withoutAnUplinkEveryEntryOfRvethsGoes() throws Exception {
        State want = desired(MANIFEST.replace(", uplink: up0", ""));
        assertTrue(want.sysctls().stream().noneMatch(s -> s.key().contains("up0")), want.sysctls().toString());
        Plan plan = Planner.plan(want, live(want, List.of(proxy("203.0.113.10", 147), proxy("2001:db8:10::1", 147)),
                List.of(proxy("203.0.113.77", 0))), HOST);
        assertEquals(List.of("- proxy.host.up0[\"2001:db8:10::1\"]", "- proxy.host.up0[\"203.0.113.10\"]"),
                lines(plan).stream().sorted().toList());
    }

    @Test
    void anEntryOfSomeoneElsesIsAConflictUnlessAdopted() throws Exception {
        State want = desired(MANIFEST);
        State live = live(want, List.of(proxy("2001:db8:10::1", 147)), List.of(proxy("203.0.113.10", 0)));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(want, live, HOST));
        assertEquals(List.of("proxy.host.up0[\"203.0.113.10\"]: up0 already has a proxy entry for 203.0.113.10 that rveth does not"
                + " own (protocol 0); remove it (ip -n h neigh del proxy 203.0.113.10 dev up0) or plan with --adopt"), e.problems());
        Plan adopted = Planner.plan(want, live, HOST, true);
        assertEquals(List.of("~ proxy.host.up0[\"203.0.113.10\"]"), lines(adopted));
        assertEquals("adopted: protocol 0 -> 147", adopted.changes().get(0).reason());
    }

    @Test
    void aMissingUplinkIsNamedBeforeAnyChange() throws Exception {
        State want = desired(MANIFEST);
        State c = live(want, List.of(), List.of());
        State live = new State(c.namespaces(), c.veths(), c.addresses(), c.routes(), c.sysctls(), Map.of(HOST, Set.of("lo")),
                List.of(), List.of(), c.rules());
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(want, live, HOST));
        assertEquals(List.of("host.uplink up0 does not exist in netns h; name the host's link to its LAN (ip -n h link),"
                + " or remove host.uplink"), e.problems());
    }

    @Test
    void anUplinkWhoseSubnetsHoldNoContainerAddressIsAWarning() throws Exception {
        State want = desired(MANIFEST.replace("203.0.113.10/32", "203.0.114.10/32").replace("2001:db8:10::1/128", "2001:db8:11::1/128"));
        Plan plan = Planner.plan(want, live(want, List.of(), List.of()), HOST);
        assertTrue(plan.isEmpty(), lines(plan).toString());
        assertEquals(List.of("host.uplink up0 has no subnet that holds a container address (its subnets: 203.0.113.0/24,"
                + " 2001:db8:10::/64), so the host answers ARP/NDP there for none of them"), plan.warnings());
    }

    @Test
    void addressesTheLanDoesNotSendToOneHostAreRefused() throws Exception {
        State want = desired(MANIFEST.replace("203.0.113.10/32", "203.0.113.0/32").replace("[198.51.100.20/32]", "[203.0.113.255/32]")
                .replace("2001:db8:10::1/128", "2001:db8:10::/128"));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(want, live(want, List.of(), List.of()), HOST));
        assertEquals(List.of(
                "proxy.host.up0[\"2001:db8:10::\"]: 2001:db8:10:: is the subnet-router anycast address of 2001:db8:10::/64 on up0,"
                        + " which the LAN does not send to a single host; give the container another address",
                "proxy.host.up0[\"203.0.113.0\"]: 203.0.113.0 is the network address of 203.0.113.0/24 on up0,"
                        + " which the LAN does not send to a single host; give the container another address",
                "proxy.host.up0[\"203.0.113.255\"]: 203.0.113.255 is the broadcast address of 203.0.113.0/24 on up0,"
                        + " which the LAN does not send to a single host; give the container another address"), e.problems());
    }

    @Test
    void anUplinkThatIsAVethOfRvethsIsNamedAsSuch() throws Exception {
        // db is gone from the manifest, and its host end named as the uplink.
        State want = desired(MANIFEST.substring(0, MANIFEST.indexOf("  db:")).replace("uplink: up0", "uplink: rv-db"));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(want, live(desired(MANIFEST), List.of(), List.of()), HOST));
        assertEquals(List.of("host.uplink rv-db is a veth rveth owns (veth.db[\"eth0\"]), not the host's link to its LAN;"
                + " name that link as host.uplink"), e.problems());
    }

    @Test
    void aMissingHostNetnsIsTheOnlyProblemNamed() throws Exception {
        State want = desired(MANIFEST.replace("create-netns: true, uplink", "uplink"));
        PlanException e = assertThrows(PlanException.class, () -> Planner.plan(want,
                new State(Map.of(), List.of(), List.of(), List.of(), List.of(), Map.of()), HOST));
        assertTrue(e.problems().stream().noneMatch(p -> p.contains("uplink")), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("netns h (host.netns) does not exist")), e.problems().toString());
    }
}
