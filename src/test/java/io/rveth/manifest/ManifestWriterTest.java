package io.rveth.manifest;

import static io.rveth.manifest.ManifestTestSupport.ISSUE_EXAMPLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import inet.ipaddr.IPAddressString;
import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Endpoint;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Veth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ManifestWriter}: a state written out and read back asks for the same state, up to
 * what a live state cannot tell (mac, create-netns) and the defaults it leaves out (mtu 1500).
 * The states come from {@link DesiredState}, which is what a converged host reads back as.
 */
class ManifestWriterTest {

    // ---- helpers ---------------------------------------------------------------------------

    private static Manifest parse(String label, String yaml) {
        try {
            return ManifestReader.parse(label, yaml);
        } catch (ManifestException e) {
            return fail("not a valid manifest (" + label + "):\n" + e.getMessage() + "\n--- text\n" + yaml);
        }
    }

    /** Writes the desired state of {@code yaml}, reads it back, checks the state is the same, returns the text. */
    private static String roundTrip(String yaml) {
        Manifest m = parse("original.yaml", yaml);
        State want = DesiredState.of(m);
        String out = ManifestWriter.write(want, m.host().netns(), m.host().routeProtocol());
        State got = DesiredState.of(parse("exported.yaml", out));
        assertSameExportable(want, got, out);
        return out;
    }

    /** Equal as sets, with mac, create-netns and mtu 1500 (the kernel's default) taken out. */
    private static void assertSameExportable(State want, State got, String text) {
        String context = "\n--- exported\n" + text;
        assertEquals(want.namespaces().keySet(), got.namespaces().keySet(), "namespaces" + context);
        assertEquals(set(want.veths().stream().map(ManifestWriterTest::exportable)),
                set(got.veths().stream().map(ManifestWriterTest::exportable)), "veths" + context);
        assertEquals(set(want.addresses().stream()), set(got.addresses().stream()), "addresses" + context);
        assertEquals(lines(want.routes()), lines(got.routes()), "routes" + context);
        assertEquals(set(want.sysctls().stream()), set(got.sysctls().stream()), "sysctls" + context);
        assertEquals(set(want.proxies().stream()), set(got.proxies().stream()), "proxy entries" + context);
    }

    private static Veth exportable(Veth v) {
        return new Veth(exportable(v.host()), exportable(v.peer()), v.alias());
    }

    private static Endpoint exportable(Endpoint e) {
        OptionalInt mtu = e.mtu().isPresent() && e.mtu().getAsInt() == 1500 ? OptionalInt.empty() : e.mtu();
        return new Endpoint(e.netns(), e.name(), mtu, Optional.empty(), e.up());
    }

    private static <T> Set<T> set(Stream<T> s) {
        return s.collect(Collectors.toSet());
    }

    /** Routes as sorted one-liners, so that a difference reads like ip route. */
    private static List<String> lines(List<Route> routes) {
        return routes.stream().map(r -> r.netns() + " " + r.dst() + " dev " + r.dev()
                        + r.via().map(v -> " via " + v.toCanonicalString()).orElse("") + (r.onlink() ? " onlink" : "")
                        + " proto " + r.protocol() + " metric " + r.metric())
                .sorted().toList();
    }

    /** The text without its comment header. */
    private static String body(String out) {
        return out.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
    }

    private static State stateOf(String yaml) {
        return DesiredState.of(parse("original.yaml", yaml));
    }

    private static State with(State s, List<Veth> veths, List<Address> addresses, List<Route> routes) {
        return new State(s.namespaces(), veths, addresses, routes, s.sysctls(), s.foreignLinks());
    }

    private static <T> List<T> plus(List<T> list, T more) {
        List<T> out = new ArrayList<>(list);
        out.add(more);
        return out;
    }

    private static final Netns HOST = new Netns("rveth-demo");

    static final String DEMO = """
            version: 1
            host:
              netns: rveth-demo
              create-netns: true
            containers:
              web:
                netns: rveth-demo-web
                create-netns: true
                interfaces:
                  eth0:
                    addresses:
                      - 203.0.113.10
                      - 2001:db8:10::10
              db:
                netns: rveth-demo-db
                create-netns: true
                interfaces:
                  eth0:
                    mtu: 9000
                    mac: "02:00:00:00:00:02"
                    addresses:
                      - 203.0.113.20
                      - 10.20.0.1/24
                      - 2001:db8:20::1/64
                    routes:
                      - 198.51.100.0/28
            """;

    // ---- the format ------------------------------------------------------------------------

    @Test
    void theDemoExportsSortedWithDefaultsLeftOut() {
        assertEquals("""
                # Exported by "rveth export" from host netns rveth-demo (route protocol 147).
                # Applying it there should plan no changes; rveth export warns about what it cannot express.
                # Not exported: mac and create-netns; add them by hand if you need them.
                version: 1
                host:
                  netns: rveth-demo
                containers:
                  db:
                    netns: rveth-demo-db
                    interfaces:
                      eth0:
                        mtu: 9000
                        addresses:
                          - 10.20.0.1/24
                          - 203.0.113.20/32
                          - 2001:db8:20::1/64
                        routes:
                          - 198.51.100.0/28
                  web:
                    netns: rveth-demo-web
                    interfaces:
                      eth0:
                        addresses:
                          - 203.0.113.10/32
                          - 2001:db8:10::10/128
                """, roundTrip(DEMO));
    }

    @Test
    void theOutputIsTheSameWhateverTheOrderOfTheState() {
        State s = stateOf(DEMO);
        List<Veth> veths = new ArrayList<>(s.veths());
        List<Address> addresses = new ArrayList<>(s.addresses());
        List<Route> routes = new ArrayList<>(s.routes());
        Collections.reverse(veths);
        Collections.reverse(addresses);
        Collections.reverse(routes);
        String once = ManifestWriter.write(s, HOST, 147);
        assertEquals(once, ManifestWriter.write(with(s, veths, addresses, routes), HOST, 147));
        assertEquals(once, ManifestWriter.write(s, HOST, 147));
    }

    @Test
    void theUplinkIsTheLinkRvethsProxyEntriesSitOn() {
        String out = roundTrip(DEMO.replace("\n  create-netns: true\n", "\n  create-netns: true\n  uplink: eth9\n"));
        assertTrue(out.contains("host:\n  netns: rveth-demo\n  uplink: eth9\n"), out);
    }

    @Test
    void theIssueExampleRoundTrips() {
        String out = roundTrip(ISSUE_EXAMPLE);
        assertTrue(out.contains("host-name: veth-web"), out);
        assertFalse(out.contains("mtu:"), "mtu 1500 is the default\n" + out);
        assertFalse(body(out).contains("mac") || body(out).contains("create-netns"), out);
        assertFalse(out.contains("gateway"), "default gateways, and the default route is there\n" + out);
        // Two addresses share the auto-route 10.5.5.0/24: both stay plain, the route is not listed.
        assertTrue(out.contains("- 10.5.5.1/24\n") && out.contains("- 10.5.5.2/24\n"), out);
        assertFalse(out.contains("10.5.5.0/24"), out);
    }

    @Test
    void aStateWithNothingExportsAnEmptyValidManifest() {
        String out = roundTrip("version: 1\ncontainers: {}\n");
        assertTrue(out.endsWith("version: 1\ncontainers: {}\n"), out);
        assertTrue(out.contains("from the current netns"), out);
    }

    @Test
    void theHostSectionCarriesOnlyWhatIsNotTheDefault() {
        String out = roundTrip("""
                version: 1
                host:
                  netns: h
                  ipv4-gateway: 169.254.10.1
                  ipv6-gateway: fe80::10
                  route-protocol: 201
                containers:
                  web:
                    interfaces:
                      eth0: {addresses: [203.0.113.10, 2001:db8::10]}
                """);
        assertTrue(out.contains("""
                host:
                  netns: h
                  ipv4-gateway: 169.254.10.1
                  ipv6-gateway: fe80::10
                  route-protocol: 201
                containers:
                  web:
                    interfaces:
                      eth0:
                """), out);
    }

    @Test
    void aGlobalIpv6GatewayRoundTripsWithItsOnLinkRoute() {
        String out = roundTrip("""
                version: 1
                host: {netns: h, ipv6-gateway: "2001:db8:ffff::1"}
                containers:
                  web:
                    interfaces:
                      eth0: {addresses: [2001:db8::10]}
                """);
        assertTrue(out.contains("ipv6-gateway: 2001:db8:ffff::1\n"), out);
        assertFalse(out.contains("gateway: false"), out);
    }

    @Test
    void hostNamesAndNetnsAreLeftOutWhenTheyAreTheDefaults() {
        String out = roundTrip("""
                version: 1
                containers:
                  one:
                    interfaces:
                      eth0: {addresses: [203.0.113.1]}
                  two:
                    netns: two
                    interfaces:
                      eth0: {addresses: [203.0.113.2]}
                      eth1: {gateway: false, addresses: [203.0.113.3]}
                  three:
                    netns: elsewhere
                    interfaces:
                      eth0: {host-name: rv-three-eth0, addresses: [203.0.113.4]}
                """);
        assertFalse(out.contains("host-name: rv-one") || out.contains("host-name: rv-two"), out);
        assertFalse(out.contains("netns: two") || out.contains("netns: one"), out);
        // One interface: the default is rv-three, so rv-three-eth0 must be written.
        assertTrue(out.contains("netns: elsewhere\n") && out.contains("host-name: rv-three-eth0\n"), out);
        assertFalse(out.contains("host:"), "the host side is in the current netns\n" + out);
    }

    // ---- addresses and routes --------------------------------------------------------------

    @Test
    void routeFalseAddressesStayRouteFalseUnderTheirCoveringRoute() {
        String out = roundTrip("""
                version: 1
                host: {netns: h}
                containers:
                  vpn:
                    interfaces:
                      eth0:
                        addresses:
                          - 203.0.113.40
                          - {address: 10.40.0.1/24, route: false}
                          - {address: "2001:db8:140::1/64", route: false}
                        routes: [10.40.0.0/16, 2001:db8:140::/48]
                """);
        assertTrue(out.contains("""
                        addresses:
                          - address: 10.40.0.1/24
                            route: false
                          - 203.0.113.40/32
                          - address: 2001:db8:140::1/64
                            route: false
                        routes:
                          - 10.40.0.0/16
                          - 2001:db8:140::/48
                """), out);
    }

    @Test
    void routeAsIsExportedAsRouteFalseAndItsRoute() {
        String out = roundTrip("""
                version: 1
                host: {netns: h}
                containers:
                  mail:
                    interfaces:
                      eth0:
                        addresses:
                          - {address: 10.25.0.1/24, route-as: 10.25.0.0/16}
                          - {address: "2001:db8:600:100::1/64", route-as: "2001:db8:600:100::/56"}
                """);
        assertTrue(out.contains("""
                        addresses:
                          - address: 10.25.0.1/24
                            route: false
                          - address: 2001:db8:600:100::1/64
                            route: false
                        routes:
                          - 10.25.0.0/16
                          - 2001:db8:600:100::/56
                """), out);
    }

    @Test
    void anAddressUnderALargerRouteOfItsInterfaceIsRouteFalse() {
        // Listed first, 10.5.5.1/24 routes its /24, and 10.5.0.1/16 its /16 as well. Exported
        // in address order, the /16 would come first and cover the /24, which would then never
        // be routed: so the /24 becomes a route of its own. 203.0.113.10 lies in a declared route.
        String out = roundTrip("""
                version: 1
                containers:
                  c:
                    interfaces:
                      eth0:
                        addresses: [10.5.5.1/24, 10.5.0.1/16, 203.0.113.10]
                        routes: [203.0.113.0/28]
                """);
        assertTrue(out.contains("""
                        addresses:
                          - 10.5.0.1/16
                          - address: 10.5.5.1/24
                            route: false
                          - address: 203.0.113.10/32
                            route: false
                        routes:
                          - 10.5.5.0/24
                          - 203.0.113.0/28
                """), out);
    }

    @Test
    void viaRoutesAreWrittenWithToAndVia() {
        String out = roundTrip("""
                version: 1
                host: {netns: h, route-protocol: 201}
                containers:
                  www:
                    interfaces:
                      eth0:
                        host-name: vps-www
                        mtu: 1450
                        addresses: [203.0.113.10, 2001:db8:100::10]
                        routes:
                          - {to: 198.51.100.64/26, via: 203.0.113.10}
                          - 198.51.100.0/28
                          - {to: "2001:db8:100:1000::/52", via: "2001:db8:100::10"}
                """);
        assertTrue(out.contains("""
                        routes:
                          - 198.51.100.0/28
                          - to: 198.51.100.64/26
                            via: 203.0.113.10
                          - to: 2001:db8:100:1000::/52
                            via: 2001:db8:100::10
                """), out);
        assertTrue(out.contains("mtu: 1450\n"), out);
    }

    @Test
    void anAutoRouteWithAViaIsARouteNotAPlainAddress() {
        String out = roundTrip("""
                version: 1
                containers:
                  c:
                    interfaces:
                      eth0:
                        addresses: [203.0.113.10]
                        routes: [{to: 203.0.113.10/32, via: 203.0.113.10}]
                """);
        assertTrue(out.contains("- address: 203.0.113.10/32\n            route: false\n"), out);
        assertTrue(out.contains("- to: 203.0.113.10/32\n            via: 203.0.113.10\n"), out);
    }

    @Test
    void severalInterfacesWithGatewayFalseAndCustomGateways() {
        String out = roundTrip("""
                version: 1
                host: {netns: h, ipv4-gateway: 169.254.10.1, ipv6-gateway: "fe80::10"}
                containers:
                  router:
                    interfaces:
                      eth0:
                        host-name: dsmi-rt-pub
                        addresses: [203.0.113.50, 2001:db8:50::1]
                      eth1:
                        host-name: dsmi-rt-int
                        gateway: false
                        mtu: 9000
                        mac: "02:00:00:00:50:02"
                        addresses: [10.50.0.1/24, "2001:db8:50:1::1/64"]
                        routes:
                          - {to: 10.51.0.0/16, via: 10.50.0.1}
                          - {to: "2001:db8:51::/48", via: "2001:db8:50:1::1"}
                      eth2:
                        gateway: false
                        routes: [198.51.100.0/28]
                """);
        assertTrue(out.contains("""
                      eth1:
                        host-name: dsmi-rt-int
                        mtu: 9000
                        gateway: false
                        addresses:
                          - 10.50.0.1/24
                          - 2001:db8:50:1::1/64
                """), out);
        // eth2 has no address, hence no default route either way; it is written gateway: false.
        assertTrue(out.contains("""
                      eth2:
                        gateway: false
                        routes:
                          - 198.51.100.0/28
                """), out);
        assertEquals(2, out.split("gateway: false").length - 1, out);
    }

    @Test
    void ipv6OnlyContainers() {
        String out = roundTrip("""
                version: 1
                host: {netns: h}
                containers:
                  api:
                    interfaces:
                      eth0:
                        addresses:
                          - 2001:db8:600::1
                          - {address: "2001:db8:600:100::1/64", route-as: "2001:db8:600:100::/56"}
                  worker:
                    interfaces:
                      eth0:
                        addresses: ["2001:db8:601::1/64"]
                        routes: ["2001:db8:6ff::/48"]
                """);
        assertFalse(out.contains("ipv4") || out.contains("gateway"), out);
    }

    @Test
    void namesThatLookLikeOtherYamlTypesAreQuoted() {
        String out = roundTrip("""
                version: 1
                host: {netns: "1234"}
                containers:
                  "null":
                    netns: "true"
                    interfaces:
                      "0x10": {host-name: "007", addresses: [203.0.113.10]}
                """);
        assertTrue(out.contains("netns: '1234'") && out.contains("'null':") && out.contains("netns: 'true'")
                && out.contains("'0x10':"), out);
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("rveth.project.dir", "."), "manifests"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleRoundTrips(Path example) throws IOException {
        roundTrip(Files.readString(example));
    }

    // ---- what a manifest cannot say ---------------------------------------------------------

    private static final String ONE = """
            version: 1
            host: {netns: rveth-demo}
            containers:
              web:
                interfaces:
                  eth0: {addresses: [203.0.113.10]}
            """;

    @Test
    void aConvergedStateNeedsNoNotes() {
        assertEquals(List.of(), ManifestWriter.export(stateOf(DEMO), HOST, 147).notes());
    }

    @Test
    void endsWithDifferentMtusLeaveMtuOutWithANote() {
        State s = stateOf(ONE);
        Veth v = s.veths().get(0);
        Veth odd = new Veth(new Endpoint(HOST, v.host().name(), OptionalInt.of(9000), Optional.of("02:00:00:00:00:09"), true),
                new Endpoint(v.peer().netns(), "eth0", OptionalInt.of(1500), Optional.of("02:00:00:00:00:01"), true), v.alias());
        ManifestWriter.Export e = ManifestWriter.export(with(s, List.of(odd), s.addresses(), s.routes()), HOST, 147);
        assertFalse(e.yaml().contains("mtu"), e.yaml());
        assertEquals(1, e.notes().size(), e.notes()::toString);
        assertTrue(e.notes().get(0).contains("mtu 9000 and the peer 1500"), e.notes()::toString);
        assertTrue(e.yaml().contains("# 1 thing was left out or changed"), e.yaml());
    }

    @Test
    void whatAManifestCannotKeepIsANote() {
        State s = stateOf(ONE);
        Netns web = new Netns("web");
        List<Address> addresses = plus(s.addresses(), new Address(HOST, "rv-web", Cidr.parse("10.0.0.1/32")));
        List<Route> routes = plus(s.routes(), new Route(web, Prefix.parse("198.51.100.0/24"), "eth0", Optional.empty(), false, 147, 0));
        routes = plus(routes, new Route(HOST, Prefix.parse("198.51.100.128/25"), "rv-web", Optional.empty(), false, 147, 100));
        ManifestWriter.Export e = ManifestWriter.export(with(s, s.veths(), addresses, routes), HOST, 147);
        String notes = String.join("\n", e.notes());
        assertEquals(3, e.notes().size(), notes);
        // 10.0.0.1/32 is as common on host ends as 169.254.0.1, and lower; the container routes via 169.254.0.1.
        assertTrue(notes.contains("address 10.0.0.1/32 on host end rv-web is not the gateway"), notes);
        assertTrue(notes.contains("route 198.51.100.0/24 inside the container is not a gateway route"), notes);
        assertTrue(notes.contains("host route 198.51.100.128/25 has metric 100"), notes);
        // The host route is kept (at the default metric); the others cannot be.
        assertTrue(e.yaml().contains("- 198.51.100.128/25"), e.yaml());
        assertFalse(e.yaml().contains("10.0.0.1") || e.yaml().contains("198.51.100.0/24") || e.yaml().contains("ipv4-gateway"), e.yaml());
    }

    @Test
    void aPeerThatWasNotFoundKeepsItsHostSideAndIsANote() {
        State s = stateOf(ONE);
        Veth v = s.veths().get(0);
        Veth lost = new Veth(v.host(), new Endpoint(v.peer().netns(), "?", OptionalInt.empty(), Optional.empty(), false), v.alias());
        ManifestWriter.Export e = ManifestWriter.export(with(s, List.of(lost), s.addresses(), s.routes()), HOST, 147);
        assertTrue(e.notes().get(0).contains("the peer of rv-web was not found"), e.notes()::toString);
        // The interface keeps its name from the alias; its host route stays a route.
        assertTrue(e.yaml().contains("eth0:\n        gateway: false\n        routes:\n          - 203.0.113.10/32\n"), e.yaml());
    }

    @Test
    void hostEndsThatDisagreeOnTheGatewayTakeTheMostCommon() {
        State s = stateOf("""
                version: 1
                host: {netns: rveth-demo, ipv4-gateway: 169.254.10.1}
                containers:
                  a: {interfaces: {eth0: {addresses: [203.0.113.1]}}}
                  b: {interfaces: {eth0: {addresses: [203.0.113.2]}}}
                  c: {interfaces: {eth0: {addresses: [203.0.113.3]}}}
                """);
        List<Address> addresses = new ArrayList<>(s.addresses().stream()
                .filter(a -> !(a.dev().equals("rv-c") && a.cidr().family() == io.rveth.model.Family.V4)).toList());
        addresses.add(new Address(HOST, "rv-c", new Cidr(new IPAddressString("169.254.0.1").getAddress(), 32)));
        ManifestWriter.Export e = ManifestWriter.export(with(s, s.veths(), addresses, s.routes()), HOST, 147);
        assertTrue(e.yaml().contains("ipv4-gateway: 169.254.10.1\n"), e.yaml());
        Set<String> notes = new HashSet<>(e.notes());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("c/eth0: address 169.254.0.1/32 on host end rv-c")), notes::toString);
    }
}
