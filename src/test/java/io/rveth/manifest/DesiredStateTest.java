package io.rveth.manifest;

import static io.rveth.manifest.ManifestTestSupport.ISSUE_EXAMPLE;
import static io.rveth.manifest.ManifestTestSupport.assertValid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.model.Address;
import io.rveth.model.Endpoint;
import io.rveth.model.Family;
import io.rveth.model.Namespace;
import io.rveth.model.Netns;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What {@link DesiredState} makes of a valid manifest. Routes and addresses are compared as
 * readable one-line strings (sorted, so duplicates show), in the style of {@code ip route}.
 */
class DesiredStateTest {
    private static final Netns HOST = new Netns("rveth-demo");
    private static final Netns WEB = new Netns("web");

    private static State stateOf(String yaml) {
        return DesiredState.of(assertValid(yaml));
    }

    private static String describe(Route r) {
        return r.netns() + " " + r.dst() + " dev " + r.dev()
                + r.via().map(v -> " via " + v.toCanonicalString()).orElse("")
                + (r.onlink() ? " onlink" : "") + " proto " + r.protocol() + " metric " + r.metric();
    }

    private static String describe(Address a) {
        return a.netns() + " " + a.dev() + " " + a.cidr();
    }

    private static List<String> routesIn(State s, Netns netns) {
        return s.routes().stream().filter(r -> r.netns().equals(netns)).map(DesiredStateTest::describe).sorted().toList();
    }

    private static List<String> addressesIn(State s, Netns netns) {
        return s.addresses().stream().filter(a -> a.netns().equals(netns)).map(DesiredStateTest::describe).sorted().toList();
    }

    private static List<String> sorted(String... lines) {
        return Stream.of(lines).sorted().toList();
    }

    // ---- the issue's example --------------------------------------------------------------

    @Nested
    class IssueExample {
        private final State state = stateOf(ISSUE_EXAMPLE);

        @Test
        void hostRoutesAreTheDeclaredRoutesPlusEachUncoveredAutoRoute() {
            assertEquals(sorted(
                            // declared
                            "rveth-demo 198.51.100.0/28 dev veth-web proto 147 metric 0",
                            "rveth-demo 10.6.0.0/16 dev veth-web proto 147 metric 0",
                            "rveth-demo 198.51.100.64/26 dev veth-web via 203.0.113.10 onlink proto 147 metric 0",
                            // auto-routes: 10.5.5.0/24 once for two addresses; none for 10.6.0.1 (route: false)
                            "rveth-demo 203.0.113.10/32 dev veth-web proto 147 metric 0",
                            "rveth-demo 10.5.5.0/24 dev veth-web proto 147 metric 0",
                            "rveth-demo 10.7.0.0/16 dev veth-web proto 147 metric 0",
                            "rveth-demo 2001:db8:10::1/128 dev veth-web proto 147 metric 1024"),
                    routesIn(state, HOST));
        }

        @Test
        void addressesWithTheSameNetworkShareOneRoute() {
            assertEquals(1, state.routes().stream().filter(r -> r.dst().toString().equals("10.5.5.0/24")).count());
        }

        @Test
        void routeFalseAddressGetsNoRouteOfItsOwn() {
            assertTrue(state.routes().stream().map(r -> r.dst().toString())
                            .noneMatch(dst -> dst.equals("10.6.0.0/24") || dst.equals("10.6.0.1/32")),
                    () -> routesIn(state, HOST).toString());
        }

        @Test
        void routeAsReplacesTheAddressesNetwork() {
            assertTrue(state.routes().stream().noneMatch(r -> r.dst().toString().equals("10.7.0.0/24")),
                    () -> routesIn(state, HOST).toString());
        }

        @Test
        void containerGetsAnOnLinkRouteToTheIpv4GatewayAndADefaultRoutePerFamily() {
            // fe80::1 is link-local, hence on-link already: no host route to it
            assertEquals(sorted(
                            "web 169.254.0.1/32 dev eth0 proto 147 metric 0",
                            "web 0.0.0.0/0 dev eth0 via 169.254.0.1 proto 147 metric 0",
                            "web ::/0 dev eth0 via fe80::1 proto 147 metric 1024"),
                    routesIn(state, WEB));
        }

        @Test
        void everyRouteIsInTheHostOrTheContainerNetns() {
            assertEquals(10, state.routes().size());
        }

        @Test
        void hostEndHoldsTheGatewayOfEachFamily() {
            assertEquals(sorted(
                            "rveth-demo veth-web 169.254.0.1/32",
                            "rveth-demo veth-web fe80::1/128"),
                    addressesIn(state, HOST));
        }

        @Test
        void containerEndHoldsTheAssignedAddressesWithTheirLengths() {
            assertEquals(sorted(
                            "web eth0 203.0.113.10/32",
                            "web eth0 10.5.5.1/24",
                            "web eth0 10.5.5.2/24",
                            "web eth0 10.6.0.1/24",
                            "web eth0 10.7.0.1/24",
                            "web eth0 2001:db8:10::1/128"),
                    addressesIn(state, WEB));
        }

        @Test
        void sysctlsAreForwardingPerFamilyAndStrictRpFilterOnTheHostEnd() {
            assertEquals(List.of(
                            new Sysctl(HOST, "net.ipv4.conf.veth-web.rp_filter", "1"),
                            new Sysctl(HOST, "net.ipv4.conf.all.forwarding", "1"),
                            new Sysctl(HOST, "net.ipv6.conf.all.forwarding", "1")),
                    state.sysctls());
        }

        @Test
        void bothNamespacesAreCreated() {
            assertEquals(Map.of(HOST, new Namespace(HOST, true), WEB, new Namespace(WEB, true)), state.namespaces());
        }

        @Test
        void vethPairCarriesMtuOnBothEndsAndMacOnTheContainerEnd() {
            assertEquals(List.of(new Veth(
                            new Endpoint(HOST, "veth-web", OptionalInt.of(1500), Optional.empty(), true),
                            new Endpoint(WEB, "eth0", OptionalInt.of(1500), Optional.of("02:00:00:00:00:01"), true),
                            "rveth:web/eth0")),
                    state.veths());
        }

        @Test
        void desiredStateHasNoForeignLinks() {
            assertEquals(Map.of(), state.foreignLinks());
        }
    }

    // ---- other shapes ---------------------------------------------------------------------

    @Test
    void ipv4OnlyInterfaceGetsOnlyIpv4GatewayForwardingAndDefaultRoute() {
        State s = stateOf("""
                version: 1
                containers:
                  web:
                    interfaces:
                      eth0:
                        addresses:
                          - 10.0.0.1
                """);
        assertEquals(List.of("(current) rv-web 169.254.0.1/32"), addressesIn(s, Netns.CURRENT));
        assertEquals(List.of(
                        new Sysctl(Netns.CURRENT, "net.ipv4.conf.rv-web.rp_filter", "1"),
                        new Sysctl(Netns.CURRENT, "net.ipv4.conf.all.forwarding", "1")),
                s.sysctls());
        assertEquals(sorted(
                        "web 169.254.0.1/32 dev eth0 proto 147 metric 0",
                        "web 0.0.0.0/0 dev eth0 via 169.254.0.1 proto 147 metric 0"),
                routesIn(s, WEB));
    }

    @Test
    void ipv6OnlyInterfaceGetsOnlyIpv6GatewayForwardingAndDefaultRoute() {
        State s = stateOf("""
                version: 1
                containers:
                  web:
                    interfaces:
                      eth0:
                        addresses:
                          - 2001:db8::1
                """);
        assertEquals(List.of("(current) rv-web fe80::1/128"), addressesIn(s, Netns.CURRENT));
        assertTrue(s.sysctls().contains(Sysctl.forwarding(Netns.CURRENT, Family.V6)));
        assertTrue(s.sysctls().stream().noneMatch(c -> c.key().equals("net.ipv4.conf.all.forwarding")), s.sysctls()::toString);
        assertEquals(List.of("web ::/0 dev eth0 via fe80::1 proto 147 metric 1024"), routesIn(s, WEB));
    }

    @Test
    void globalIpv6GatewayGetsAnOnLinkHostRouteInTheContainer() {
        State s = stateOf("""
                version: 1
                host:
                  ipv6-gateway: 2001:db8:ffff::1
                containers:
                  web:
                    interfaces:
                      eth0:
                        addresses:
                          - 2001:db8::1
                """);
        assertEquals(sorted(
                        "web 2001:db8:ffff::1/128 dev eth0 proto 147 metric 1024",
                        "web ::/0 dev eth0 via 2001:db8:ffff::1 proto 147 metric 1024"),
                routesIn(s, WEB));
        assertEquals(List.of("(current) rv-web 2001:db8:ffff::1/128"), addressesIn(s, Netns.CURRENT));
    }

    @Test
    void customIpv4GatewayIsUsedOnBothEnds() {
        State s = stateOf("""
                version: 1
                host:
                  ipv4-gateway: 192.0.2.1
                containers:
                  web:
                    interfaces:
                      eth0:
                        addresses:
                          - 10.0.0.1
                """);
        assertEquals(List.of("(current) rv-web 192.0.2.1/32"), addressesIn(s, Netns.CURRENT));
        assertEquals(sorted(
                        "web 192.0.2.1/32 dev eth0 proto 147 metric 0",
                        "web 0.0.0.0/0 dev eth0 via 192.0.2.1 proto 147 metric 0"),
                routesIn(s, WEB));
    }

    @Test
    void gatewayFalseGivesTheContainerNoRoutes() {
        State s = stateOf("""
                version: 1
                containers:
                  web:
                    interfaces:
                      eth0:
                        gateway: false
                        addresses:
                          - 10.0.0.1
                """);
        assertEquals(List.of(), routesIn(s, WEB));
        assertEquals(List.of("(current) 10.0.0.1/32 dev rv-web proto 147 metric 0"), routesIn(s, Netns.CURRENT));
    }

    @Test
    void routeProtocolTagsEveryRoute() {
        State s = stateOf("""
                version: 1
                host:
                  route-protocol: 201
                containers:
                  web:
                    interfaces:
                      eth0:
                        addresses:
                          - 10.0.0.1
                          - 2001:db8::1
                """);
        assertEquals(5, s.routes().size());
        assertTrue(s.routes().stream().allMatch(r -> r.protocol() == 201), () -> s.routes().toString());
    }

    @Test
    void hostInTheCurrentNetnsNeedsNoNamespace() {
        State s = stateOf("""
                version: 1
                containers:
                  web:
                    interfaces:
                      eth0: {}
                """);
        assertEquals(Map.of(WEB, new Namespace(WEB, false)), s.namespaces());
        assertEquals(Netns.CURRENT, s.veths().get(0).host().netns());
    }

    @Test
    void sharedNetnsIsCreatedWhenAnyOfItsContainersAsks() {
        Netns pod = new Netns("pod");
        State s = stateOf("""
                version: 1
                containers:
                  a:
                    netns: pod
                    interfaces:
                      eth0: {}
                  b:
                    netns: pod
                    create-netns: true
                    interfaces:
                      eth1: {}
                """);
        assertEquals(Map.of(pod, new Namespace(pod, true)), s.namespaces());
    }

    @Test
    void everyHostEndGetsStrictRpFilter() {
        State s = stateOf("""
                version: 1
                containers:
                  web:
                    interfaces:
                      eth0:
                        addresses:
                          - 10.0.0.1
                      eth1:
                        gateway: false
                        addresses:
                          - 10.0.0.2
                """);
        assertEquals(List.of(
                        new Sysctl(Netns.CURRENT, "net.ipv4.conf.rv-web-eth0.rp_filter", "1"),
                        new Sysctl(Netns.CURRENT, "net.ipv4.conf.rv-web-eth1.rp_filter", "1"),
                        new Sysctl(Netns.CURRENT, "net.ipv4.conf.all.forwarding", "1")),
                s.sysctls());
    }

    @Test
    void interfaceWithoutMtuOrMacLeavesThemToTheKernel() {
        State s = stateOf("""
                version: 1
                containers:
                  web:
                    interfaces:
                      eth0: {}
                """);
        assertEquals(List.of(new Veth(
                        new Endpoint(Netns.CURRENT, "rv-web", OptionalInt.empty(), Optional.empty(), true),
                        new Endpoint(WEB, "eth0", OptionalInt.empty(), Optional.empty(), true),
                        "rveth:web/eth0")),
                s.veths());
    }

    @Test
    void containerWithoutInterfacesOnlyNeedsItsNamespace() {
        State s = stateOf("""
                version: 1
                containers:
                  web:
                    create-netns: true
                """);
        assertEquals(Map.of(WEB, new Namespace(WEB, true)), s.namespaces());
        assertEquals(List.of(), s.veths());
        assertEquals(List.of(), s.routes());
        assertEquals(List.of(), s.sysctls());
    }
}
