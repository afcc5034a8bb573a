package io.rveth.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Endpoint;
import io.rveth.model.Namespace;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import io.rveth.model.ProxyNeighbour;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link LiveParser} (and {@link NamespaceDump}) against real {@code ip -N -j -batch -}
 * output, recorded by {@code src/test/resources/ip/record.sh} from throwaway namespaces
 * named rvfix-*, built the way rveth's planner builds them:
 *
 * <ul>
 *   <li>{@code converged}: rv-web &lt;-&gt; eth0 in rvfix-web (203.0.113.10, 2001:db8:10::10) and
 *       rv-db &lt;-&gt; eth0 in rvfix-db (mtu 9000; 203.0.113.20, 10.20.0.1/24, 2001:db8:20::1/64;
 *       198.51.100.0/28 and 2001:db8:21::/48 routed via db onlink); gateway addresses
 *       169.254.0.1/32 and fe80::1/128 on both host ends. Not rveth's: the veth pair
 *       vx-unowned / vx-unowned-p (no alias) with a boot, a static and a proto 147 route, a
 *       proto 147 route on rv-web in table 100, and in rvfix-web a link dummy0 with routes
 *       (one proto 147) plus a static route on eth0.</li>
 *   <li>{@code drift}: converged, then 203.0.113.10/32 deleted from the host, 2001:db8:10::10
 *       removed in web, db's eth0 set down (which takes its IPv6 addresses and all its routes
 *       with it), rv-web mtu 1400, rp_filter 0 on rv-db.</li>
 *   <li>{@code wrong-peer-netns}: rv-web (alias rveth:web/eth0) whose peer lives in
 *       rvfix-other; rvfix-web exists and holds only lo.</li>
 *   <li>{@code empty-host}: a host netns with only lo.</li>
 * </ul>
 */
class LiveParserTest {
    private static final int PROTO = 147;
    private static final Netns HOST = new Netns("rvfix-host");
    private static final Netns WEB = new Netns("rvfix-web");
    private static final Netns DB = new Netns("rvfix-db");
    private static final Netns OTHER = new Netns("rvfix-other");

    private static final String WEB_HOST_MAC = "02:00:00:00:01:01";
    private static final String WEB_PEER_MAC = "02:00:00:00:01:02";
    private static final String DB_HOST_MAC = "02:00:00:00:02:01";
    private static final String DB_PEER_MAC = "02:00:00:00:02:02";

    // ---- fixtures ----------------------------------------------------------------------------

    /** The exact stdout recorded for one namespace of one scenario. */
    static String fixture(String scenario, String role) {
        String path = "/ip/" + scenario + "/" + role + ".json";
        try (InputStream in = LiveParserTest.class.getResourceAsStream(path)) {
            assertNotNull(in, path + " is missing; run src/test/resources/ip/record.sh as root to record it");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path, e);
        }
    }

    /** {@code text} with the first {@code from} replaced; fails if {@code from} is not there. */
    static String mutate(String text, String from, String to) {
        int at = text.indexOf(from);
        assertTrue(at >= 0, "fixture does not contain " + from + "; re-recorded with a different shape?");
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    static NamespaceDump hostDump(String text) {
        return NamespaceDump.parse(HOST, text, true);
    }

    static NamespaceDump containerDump(Netns netns, String text) {
        return NamespaceDump.parse(netns, text, false);
    }

    static State parse(Set<Netns> existing, NamespaceDump host, NamespaceDump... containers) {
        return new LiveParser(HOST, PROTO).parse(existing, host, List.of(containers));
    }

    /** A scenario as LiveReader reads it: host dump plus the named container dumps. */
    static State scenario(String scenario, Set<Netns> existing, Netns... containers) {
        List<NamespaceDump> dumps = new ArrayList<>();
        for (Netns ns : containers) dumps.add(containerDump(ns, fixture(scenario, role(ns))));
        return new LiveParser(HOST, PROTO).parse(existing, hostDump(fixture(scenario, "host")), dumps);
    }

    static String role(Netns ns) {
        return ns.name().substring("rvfix-".length());
    }

    static State converged() {
        return scenario("converged", Set.of(HOST, WEB, DB), WEB, DB);
    }

    /** Converged with one replacement in the host dump. */
    static State convergedHostMutated(String from, String to) {
        return parse(Set.of(HOST, WEB, DB), hostDump(mutate(fixture("converged", "host"), from, to)),
                containerDump(WEB, fixture("converged", "web")), containerDump(DB, fixture("converged", "db")));
    }

    // ---- model shorthands --------------------------------------------------------------------

    static IPAddress ip(String text) {
        return new IPAddressString(text).getAddress();
    }

    static Endpoint end(Netns ns, String name, int mtu, String mac, boolean up) {
        return new Endpoint(ns, name, OptionalInt.of(mtu), Optional.of(mac), up);
    }

    static Address addr(Netns ns, String dev, String cidr) {
        return new Address(ns, dev, Cidr.parse(cidr));
    }

    static Route route(Netns ns, String dst, String dev, int metric) {
        return new Route(ns, Prefix.parse(dst), dev, Optional.empty(), false, PROTO, metric);
    }

    static Route route(Netns ns, String dst, String dev, String via, boolean onlink, int metric) {
        return new Route(ns, Prefix.parse(dst), dev, Optional.of(ip(via)), onlink, PROTO, metric);
    }

    /** The three routes rveth gives a container with both families: gateway, default v4, default v6. */
    static List<Route> gatewayRoutes(Netns ns) {
        return List.of(route(ns, "169.254.0.1/32", "eth0", 0),
                route(ns, "0.0.0.0/0", "eth0", "169.254.0.1", false, 0),
                route(ns, "::/0", "eth0", "fe80::1", false, 1024));
    }

    static List<Address> gatewayAddresses(String hostEnd) {
        return List.of(addr(HOST, hostEnd, "169.254.0.1/32"), addr(HOST, hostEnd, "fe80::1/128"));
    }

    static Sysctl sysctl(String key, String value) {
        return new Sysctl(HOST, key, value);
    }

    /** Compares as sets, but also refuses duplicates, which a set would hide. */
    static <T> void assertSameElements(List<T> expected, List<T> actual, String what) {
        assertEquals(new HashSet<>(expected), new HashSet<>(actual), what);
        assertEquals(new HashSet<>(actual).size(), actual.size(), what + " has duplicates: " + actual);
    }

    static List<Route> routesIn(State s, Netns ns) {
        return s.routes().stream().filter(r -> r.netns().equals(ns)).toList();
    }

    static Set<String> routedDevs(State s, Netns ns) {
        return routesIn(s, ns).stream().map(Route::dev).collect(Collectors.toSet());
    }

    static IpOutputException assertRejected(Supplier<Object> read, String... messageParts) {
        IpOutputException e = assertThrows(IpOutputException.class, () -> {
            Object result = read.get();
            fail("expected IpOutputException, got " + result);
        });
        assertNotNull(e.getMessage());
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" should mention " + part);
        }
        return e;
    }

    // ---- converged ---------------------------------------------------------------------------

    @Nested
    class Converged {
        final State s = converged();

        @Test
        void ownsExactlyTheTwoAliasedVeths() {
            assertSameElements(List.of(
                    new Veth(end(HOST, "rv-web", 1500, WEB_HOST_MAC, true), end(WEB, "eth0", 1500, WEB_PEER_MAC, true),
                            "rveth:web/eth0"),
                    new Veth(end(HOST, "rv-db", 9000, DB_HOST_MAC, true), end(DB, "eth0", 9000, DB_PEER_MAC, true),
                            "rveth:db/eth0")),
                    s.veths(), "veths");
        }

        @Test
        void addressesOnOwnedLinksWithoutKernelLinkLocals() {
            List<Address> expected = new ArrayList<>();
            expected.addAll(gatewayAddresses("rv-web"));
            expected.addAll(gatewayAddresses("rv-db"));
            expected.addAll(List.of(
                    addr(WEB, "eth0", "203.0.113.10/32"), addr(WEB, "eth0", "2001:db8:10::10/128"),
                    addr(DB, "eth0", "203.0.113.20/32"), addr(DB, "eth0", "10.20.0.1/24"),
                    addr(DB, "eth0", "2001:db8:20::1/64")));
            assertSameElements(expected, s.addresses(), "addresses");
        }

        @Test
        void gatewayLinkLocalIsOwnedButKernelLinkLocalsAreNot() {
            // The dumps do hold fe80::/64 addresses (e.g. fe80::ff:fe00:101 on rv-web) ...
            assertTrue(fixture("converged", "host").contains("\"local\":\"fe80::ff:fe00:101\",\"prefixlen\":64"));
            // ... but only fe80::1/128 reaches the state.
            for (Address a : s.addresses()) {
                if (a.cidr().ip().isIPv6() && a.cidr().ip().isLinkLocal()) {
                    assertEquals(Cidr.parse("fe80::1/128"), a.cidr(), "link-local " + a);
                }
            }
            assertTrue(s.addresses().contains(addr(HOST, "rv-web", "fe80::1/128")));
            assertTrue(s.addresses().contains(addr(HOST, "rv-db", "fe80::1/128")));
        }

        @Test
        void noAddressesOfForeignLinks() {
            for (Address a : s.addresses()) {
                assertFalse(Set.of("lo", "dummy0", "vx-unowned", "vx-unowned-p").contains(a.dev()), "foreign address " + a);
            }
        }

        @Test
        void routesAreProto147OnOwnedLinksInTableMain() {
            List<Route> expected = new ArrayList<>(List.of(
                    route(HOST, "203.0.113.10/32", "rv-web", 0),
                    route(HOST, "2001:db8:10::10/128", "rv-web", 1024),
                    route(HOST, "203.0.113.20/32", "rv-db", 0),
                    route(HOST, "10.20.0.0/24", "rv-db", 0),
                    route(HOST, "2001:db8:20::/64", "rv-db", 1024),
                    route(HOST, "198.51.100.0/28", "rv-db", "10.20.0.1", true, 0),
                    route(HOST, "2001:db8:21::/48", "rv-db", "2001:db8:20::1", true, 1024)));
            expected.addAll(gatewayRoutes(WEB));
            expected.addAll(gatewayRoutes(DB));
            assertSameElements(expected, s.routes(), "routes");
        }

        @Test
        void unownedVethRoutesAreIgnoredWhateverTheirProtocol() {
            // boot (10.67/16, no "protocol" printed), static (10.68/16) and even 147 (10.69/16).
            assertEquals(Set.of("rv-web", "rv-db"), routedDevs(s, HOST));
        }

        @Test
        void containerRoutesOfOtherProtocolsOrOnForeignLinksAreIgnored() {
            // web: 198.51.100.128/25 dev eth0 proto static; dummy0 carries a static and a proto 147 route.
            assertEquals(Set.of("eth0"), routedDevs(s, WEB));
            assertFalse(routesIn(s, WEB).stream().anyMatch(r -> r.dst().equals(Prefix.parse("198.51.100.128/25"))));
            // db: the kernel's 10.20.0.0/24 and 2001:db8:20::/64 (proto 2) on the owned eth0.
            assertEquals(Set.copyOf(gatewayRoutes(DB)), Set.copyOf(routesIn(s, DB)));
        }

        @Test
        void routesOutsideTableMainAreIgnored() {
            // 203.0.113.10/32 dev rv-web proto 147 exists in table 100 as well as in main.
            assertEquals(1, s.routes().stream().filter(r -> r.dst().equals(Prefix.parse("203.0.113.10/32"))).count());
        }

        @Test
        void onlinkFlagIsReadForBothFamilies() {
            for (Route r : routesIn(s, HOST)) {
                assertEquals(r.via().isPresent(), r.onlink(), "onlink of " + r);
            }
            assertFalse(routesIn(s, WEB).stream().anyMatch(Route::onlink));
        }

        @Test
        void ipv6RoutesCarryTheKernelMetric1024AndIpv4Routes0() {
            for (Route r : s.routes()) {
                assertEquals(Route.defaultMetric(r.dst().family()), r.metric(), "metric of " + r);
            }
        }

        @Test
        void defaultDestinationTakesTheFamilyOfItsGateway() {
            List<Route> defaults = routesIn(s, WEB).stream().filter(r -> r.dst().isDefault()).toList();
            assertEquals(Set.of(Prefix.parse("0.0.0.0/0"), Prefix.parse("::/0")),
                    defaults.stream().map(Route::dst).collect(Collectors.toSet()));
            for (Route r : defaults) {
                assertEquals(r.dst().family() == io.rveth.model.Family.V4, r.via().orElseThrow().isIPv4(), r.toString());
            }
        }

        @Test
        void sysctlsAreForwardingAndRpFilterOfOwnedHostEnds() {
            assertSameElements(List.of(
                    sysctl("net.ipv4.conf.all.forwarding", "1"),
                    sysctl("net.ipv6.conf.all.forwarding", "1"),
                    sysctl("net.ipv4.conf.rv-web.rp_filter", "1"),
                    sysctl("net.ipv4.conf.rv-db.rp_filter", "1")),
                    s.sysctls(), "sysctls");
        }

        @Test
        void foreignLinksAreEverythingNotOwned() {
            assertEquals(Map.of(
                    HOST, Set.of("lo", "vx-unowned", "vx-unowned-p"),
                    WEB, Set.of("lo", "dummy0"),
                    DB, Set.of("lo")), s.foreignLinks());
        }

        @Test
        void namespacesReportLoopbackUp() {
            assertEquals(Map.of(HOST, new Namespace(HOST, true), WEB, new Namespace(WEB, true), DB, new Namespace(DB, true)),
                    s.namespaces());
        }

        @Test
        void showReadsThePeerNamespacesOfOwnedHostEnds() {
            assertEquals(Set.of(WEB, DB), LiveReader.peerNamespaces(hostDump(fixture("converged", "host"))));
        }

        @Test
        void sameDumpsGiveTheSameState() {
            assertEquals(s, converged());
        }
    }

    // ---- drift -------------------------------------------------------------------------------

    @Nested
    class Drift {
        final State s = scenario("drift", Set.of(HOST, WEB, DB), WEB, DB);

        @Test
        void vethsShowMtuAndDownPeer() {
            assertSameElements(List.of(
                    new Veth(end(HOST, "rv-web", 1400, WEB_HOST_MAC, true), end(WEB, "eth0", 1500, WEB_PEER_MAC, true),
                            "rveth:web/eth0"),
                    // rv-db lost its carrier (NO-CARRIER) but is still administratively up.
                    new Veth(end(HOST, "rv-db", 9000, DB_HOST_MAC, true), end(DB, "eth0", 9000, DB_PEER_MAC, false),
                            "rveth:db/eth0")),
                    s.veths(), "veths");
        }

        @Test
        void addressesLackTheRemovedOneAndThoseTheDownLinkLost() {
            List<Address> expected = new ArrayList<>();
            expected.addAll(gatewayAddresses("rv-web"));
            expected.addAll(gatewayAddresses("rv-db"));
            expected.addAll(List.of(
                    addr(WEB, "eth0", "203.0.113.10/32"),
                    // The kernel drops IPv6 addresses of a link set down; IPv4 ones stay.
                    addr(DB, "eth0", "203.0.113.20/32"), addr(DB, "eth0", "10.20.0.1/24")));
            assertSameElements(expected, s.addresses(), "addresses");
        }

        @Test
        void routesLackTheDeletedOneAndThoseOfTheDownLink() {
            List<Route> expected = new ArrayList<>(List.of(
                    route(HOST, "2001:db8:10::10/128", "rv-web", 1024),
                    // linkdown routes are still routes.
                    route(HOST, "203.0.113.20/32", "rv-db", 0),
                    route(HOST, "10.20.0.0/24", "rv-db", 0),
                    route(HOST, "2001:db8:20::/64", "rv-db", 1024),
                    route(HOST, "198.51.100.0/28", "rv-db", "10.20.0.1", true, 0),
                    route(HOST, "2001:db8:21::/48", "rv-db", "2001:db8:20::1", true, 1024)));
            expected.addAll(gatewayRoutes(WEB));
            assertSameElements(expected, s.routes(), "routes");
        }

        @Test
        void rpFilterOffIsReadAsZero() {
            assertSameElements(List.of(
                    sysctl("net.ipv4.conf.all.forwarding", "1"),
                    sysctl("net.ipv6.conf.all.forwarding", "1"),
                    sysctl("net.ipv4.conf.rv-web.rp_filter", "1"),
                    sysctl("net.ipv4.conf.rv-db.rp_filter", "0")),
                    s.sysctls(), "sysctls");
        }

        @Test
        void foreignLinksAreUnchanged() {
            assertEquals(converged().foreignLinks(), s.foreignLinks());
        }
    }

    // ---- wrong peer netns --------------------------------------------------------------------

    @Nested
    class WrongPeerNetns {
        private static final Set<Netns> EXISTING = Set.of(HOST, WEB, OTHER);

        @Test
        void peerNetnsComesFromTheHostEndNotFromTheAlias() {
            // apply reads the manifest's container namespaces: here only rvfix-web.
            State s = scenario("wrong-peer-netns", EXISTING, WEB);
            assertEquals(1, s.veths().size());
            Veth v = s.veths().get(0);
            assertEquals("rveth:web/eth0", v.alias());
            assertEquals("web", v.container());
            assertEquals("eth0", v.ifname());
            assertEquals(end(HOST, "rv-web", 1500, WEB_HOST_MAC, true), v.host());
            // rvfix-other was not read: where the peer is is known, what it is is not.
            assertEquals(new Endpoint(OTHER, "?", OptionalInt.empty(), Optional.empty(), false), v.peer());
            assertSameElements(gatewayAddresses("rv-web"), s.addresses(), "addresses");
            assertSameElements(List.of(route(HOST, "203.0.113.10/32", "rv-web", 0), route(HOST, "2001:db8:10::10/128", "rv-web", 1024)),
                    s.routes(), "routes");
            assertEquals(Map.of(HOST, Set.of("lo"), WEB, Set.of("lo")), s.foreignLinks());
        }

        @Test
        void peerIsFoundInTheOtherNetnsWhenThatIsRead() {
            State s = scenario("wrong-peer-netns", EXISTING, WEB, OTHER);
            assertEquals(List.of(new Veth(end(HOST, "rv-web", 1500, WEB_HOST_MAC, true),
                    end(OTHER, "eth0", 1500, WEB_PEER_MAC, true), "rveth:web/eth0")), s.veths());
            List<Address> addresses = new ArrayList<>(gatewayAddresses("rv-web"));
            addresses.addAll(List.of(addr(OTHER, "eth0", "203.0.113.10/32"), addr(OTHER, "eth0", "2001:db8:10::10/128")));
            assertSameElements(addresses, s.addresses(), "addresses");
            List<Route> routes = new ArrayList<>(List.of(route(HOST, "203.0.113.10/32", "rv-web", 0),
                    route(HOST, "2001:db8:10::10/128", "rv-web", 1024)));
            routes.addAll(gatewayRoutes(OTHER));
            assertSameElements(routes, s.routes(), "routes");
            assertEquals(Map.of(HOST, Set.of("lo"), WEB, Set.of("lo"), OTHER, Set.of("lo")), s.foreignLinks());
            assertTrue(routesIn(s, WEB).isEmpty());
        }

        @Test
        void showReadsTheNetnsThePeerIsReallyIn() {
            assertEquals(Set.of(OTHER), LiveReader.peerNamespaces(hostDump(fixture("wrong-peer-netns", "host"))));
        }
    }

    // ---- empty host --------------------------------------------------------------------------

    @Nested
    class EmptyHost {
        @Test
        void onlyLoopbackAndForwardingOff() {
            State s = parse(Set.of(HOST), hostDump(fixture("empty-host", "host")));
            assertTrue(s.veths().isEmpty(), s.veths()::toString);
            assertTrue(s.addresses().isEmpty(), s.addresses()::toString);
            assertTrue(s.routes().isEmpty(), s.routes()::toString);
            assertSameElements(List.of(sysctl("net.ipv4.conf.all.forwarding", "0"), sysctl("net.ipv6.conf.all.forwarding", "0")),
                    s.sysctls(), "sysctls");
            assertEquals(Map.of(HOST, Set.of("lo")), s.foreignLinks());
            assertEquals(Map.of(HOST, new Namespace(HOST, true)), s.namespaces());
            assertTrue(LiveReader.peerNamespaces(hostDump(fixture("empty-host", "host"))).isEmpty());
        }

        @Test
        void missingHostNetnsGivesOnlyTheExistingNamespaces() {
            State s = parse(Set.of(WEB), null);
            assertEquals(Map.of(WEB, new Namespace(WEB, false)), s.namespaces());
            assertTrue(s.veths().isEmpty() && s.addresses().isEmpty() && s.routes().isEmpty() && s.sysctls().isEmpty()
                    && s.foreignLinks().isEmpty(), s::toString);
        }
    }

    // ---- output rveth must refuse ------------------------------------------------------------

    @Nested
    class Rejected {
        @Test
        void textOutputOfIpWithoutJson() {
            String text = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
                    + "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
                    + "    inet 127.0.0.1/8 scope host lo\n";
            assertRejected(() -> hostDump(text), "rvfix-host", "not JSON");
            assertRejected(() -> containerDump(WEB, "Object \"netconf\" is unknown, try \"ip help\".\n"), "rvfix-web", "not JSON");
        }

        @Test
        void truncatedInsideADocument() {
            String host = fixture("converged", "host");
            assertRejected(() -> hostDump(host.substring(0, host.length() / 2)), "rvfix-host", "not JSON");
            String web = fixture("converged", "web");
            assertRejected(() -> containerDump(WEB, web.substring(0, web.length() - 3)), "rvfix-web", "not JSON");
        }

        @Test
        void truncatedBetweenDocuments() {
            String host = fixture("converged", "host");
            String allButLast = host.substring(0, host.lastIndexOf('\n', host.length() - 2) + 1);
            assertRejected(() -> hostDump(allButLast), "rvfix-host", "5 JSON documents for 6 commands");
        }

        @Test
        void wrongNumberOfDocuments() {
            assertRejected(() -> hostDump(fixture("converged", "web")), "2 JSON documents for 6 commands");
            assertRejected(() -> containerDump(WEB, fixture("converged", "host")), "6 JSON documents for 2 commands");
            assertRejected(() -> containerDump(WEB, fixture("converged", "web") + "[]\n"), "3 JSON documents for 2 commands");
            assertRejected(() -> hostDump(""), "0 JSON documents for 6 commands");
        }

        @Test
        void documentThatIsNotAList() {
            String host = fixture("converged", "host");
            String[] docs = host.split("\n");
            docs[1] = "{}";
            assertRejected(() -> parse(Set.of(HOST), hostDump(String.join("\n", docs) + "\n")),
                    "route show", "rvfix-host", "JSON list");
        }

        @Test
        void missingIfnameInContainer() {
            String web = mutate(fixture("converged", "web"), "\"ifname\":\"eth0\",", "");
            assertRejected(() -> parse(Set.of(HOST, WEB), hostDump(fixture("converged", "host")), containerDump(WEB, web)),
                    "addr show in rvfix-web", "\"ifname\" is missing");
        }

        @Test
        void missingIfnameOnHost() {
            assertRejected(() -> convergedHostMutated("\"ifname\":\"rv-web\",", ""),
                    "addr show in rvfix-host", "\"ifname\" is missing");
        }

        @Test
        void routeDestinationThatIsNotAPrefix() {
            assertRejected(() -> convergedHostMutated("{\"dst\":\"203.0.113.20\",\"dev\":\"rv-db\"",
                    "{\"dst\":\"nonsense\",\"dev\":\"rv-db\""), "route show in rvfix-host", "\"nonsense\"", "not a prefix");
        }

        @Test
        void routeDestinationWithHostBits() {
            assertRejected(() -> convergedHostMutated("{\"dst\":\"10.20.0.0/24\",\"dev\":\"rv-db\"",
                    "{\"dst\":\"10.20.0.1/24\",\"dev\":\"rv-db\""), "route show in rvfix-host", "\"10.20.0.1/24\"");
        }

        @Test
        void protocolNameInsteadOfNumber() {
            // What ip prints without -N: the kernel's fe80::/64 route on the owned rv-web.
            assertRejected(() -> convergedHostMutated(
                    "{\"dst\":\"fe80::/64\",\"dev\":\"rv-web\",\"protocol\":\"2\"",
                    "{\"dst\":\"fe80::/64\",\"dev\":\"rv-web\",\"protocol\":\"kernel\""),
                    "route show in rvfix-host", "\"protocol\" is \"kernel\"", "-N");
        }

        @Test
        void protocolNameInContainer() {
            String web = mutate(fixture("converged", "web"),
                    "{\"dst\":\"169.254.0.1\",\"dev\":\"eth0\",\"protocol\":\"147\"",
                    "{\"dst\":\"169.254.0.1\",\"dev\":\"eth0\",\"protocol\":\"rveth\"");
            assertRejected(() -> parse(Set.of(HOST, WEB, DB), hostDump(fixture("converged", "host")), containerDump(WEB, web),
                    containerDump(DB, fixture("converged", "db"))), "route show in rvfix-web", "\"rveth\"");
        }

        @Test
        void gatewayThatIsNotAnAddress() {
            assertRejected(() -> convergedHostMutated("\"gateway\":\"10.20.0.1\"", "\"gateway\":\"10.20.0.1/24\""),
                    "route show in rvfix-host", "\"10.20.0.1/24\"", "not an IP address");
        }

        @Test
        void addressThatIsNotAnAddress() {
            String db = mutate(fixture("converged", "db"), "\"local\":\"203.0.113.20\"", "\"local\":\"nonsense\"");
            assertRejected(() -> parse(Set.of(HOST, WEB, DB), hostDump(fixture("converged", "host")),
                    containerDump(WEB, fixture("converged", "web")), containerDump(DB, db)),
                    "eth0 in rvfix-db", "\"nonsense\"");
        }

        @Test
        void unknownRpFilterMode() {
            assertRejected(() -> convergedHostMutated("\"interface\":\"rv-web\",\"forwarding\":true,\"rp_filter\":\"strict\"",
                    "\"interface\":\"rv-web\",\"forwarding\":true,\"rp_filter\":\"paranoid\""),
                    "netconf show in rvfix-host", "\"paranoid\"");
        }

        @Test
        void ifindexThatIsNotANumber() {
            assertRejected(() -> convergedHostMutated("\"ifindex\":2,", "\"ifindex\":\"2\","),
                    "rvfix-host", "\"ifindex\" is not a number");
        }
    }

    // ---- edges: u32 numbers, odd booleans, empty addresses ----------------------------------

    @Nested
    class Edges {
        @Test
        void routeInAHighTableIsIgnoredNotRejected() {
            // Recorded shape: ip -N -j prints "table":"4000000000" for `ip route add ... table 4000000000`.
            State s = convergedHostMutated("\"table\":\"100\"", "\"table\":\"4000000000\"");
            assertEquals(converged(), s);
        }

        @Test
        void hugeMetricIsNeverWrappedToNegative() {
            String from = "{\"dst\":\"2001:db8:20::/64\",\"dev\":\"rv-db\",\"protocol\":\"147\",\"metric\":1024";
            String to = "{\"dst\":\"2001:db8:20::/64\",\"dev\":\"rv-db\",\"protocol\":\"147\",\"metric\":3000000000";
            State s;
            try {
                s = convergedHostMutated(from, to);
            } catch (IpOutputException e) {
                return; // refusing a metric rveth cannot represent is fine
            }
            for (Route r : s.routes()) assertTrue(r.metric() >= 0, "metric wrapped around: " + r);
        }

        @Test
        void nonBooleanForwardingIsRejected() {
            assertRejected(() -> convergedHostMutated("\"interface\":\"all\",\"forwarding\":true",
                    "\"interface\":\"all\",\"forwarding\":\"on\""), "forwarding");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "dst     | {\"dst\":\"203.0.113.20\",\"dev\":\"rv-db\" | {\"dst\":\"\",\"dev\":\"rv-db\"",
                "gateway | \"gateway\":\"10.20.0.1\"                 | \"gateway\":\"\"",
                "local   | \"local\":\"169.254.0.1\"                 | \"local\":\"\""})
        void emptyIpTextIsRejected(String field, String from, String to) {
            assertRejected(() -> convergedHostMutated(from, to), "rvfix-host");
        }
    }

    /** uplink: rveth's proxy entries on up0, a stale one, someone else's, and up0's settings. */
    @Nested
    class Uplink {
        State uplink() {
            List<NamespaceDump> dumps = List.of(containerDump(WEB, fixture("uplink", "web")), containerDump(DB, fixture("uplink", "db")));
            return new LiveParser(HOST, PROTO, Set.of(), Map.of(), Optional.of("up0"))
                    .parse(Set.of(HOST, WEB, DB), hostDump(fixture("uplink", "host")), dumps);
        }

        @Test
        void entriesWithRvethsProtocolAreOwnedTheRestForeign() {
            State s = uplink();
            assertEquals(Set.of(new ProxyNeighbour(HOST, "up0", ip("203.0.113.10"), PROTO),
                    new ProxyNeighbour(HOST, "up0", ip("2001:db8:10::10"), PROTO),
                    new ProxyNeighbour(HOST, "up0", ip("203.0.113.66"), PROTO)), Set.copyOf(s.proxies()));
            assertEquals(List.of(new ProxyNeighbour(HOST, "up0", ip("203.0.113.77"), 0)), s.foreignProxies());
        }

        @Test
        void theUplinksForwardingAndProxyNdpAreRead() {
            Set<Sysctl> sysctls = Set.copyOf(uplink().sysctls());
            assertTrue(sysctls.contains(new Sysctl(HOST, "net.ipv4.conf.up0.forwarding", "1")), sysctls.toString());
            assertTrue(sysctls.contains(new Sysctl(HOST, "net.ipv6.conf.up0.forwarding", "1")), sysctls.toString());
            assertTrue(sysctls.contains(new Sysctl(HOST, "net.ipv6.conf.up0.proxy_ndp", "1")), sysctls.toString());
            // Other links' settings are not rveth's business (up0-lan forwards too, with proxy_ndp off).
            assertTrue(sysctls.stream().noneMatch(x -> x.key().contains("up0-lan")), sysctls.toString());
        }

        @Test
        void withoutAnUplinkNoSettingsOfItAreReadButTheEntriesAre() {
            State s = new LiveParser(HOST, PROTO).parse(Set.of(HOST, WEB, DB), hostDump(fixture("uplink", "host")),
                    List.of(containerDump(WEB, fixture("uplink", "web")), containerDump(DB, fixture("uplink", "db"))));
            assertTrue(s.sysctls().stream().noneMatch(x -> x.key().contains("up0")), s.sysctls().toString());
            assertEquals(3, s.proxies().size(), "rveth's entries are found, to be pruned, even when the manifest names no uplink");
        }

        @Test
        void oddEntriesAreRejected() {
            String host = fixture("uplink", "host");
            assertRejected(() -> new LiveParser(HOST, PROTO).parse(Set.of(HOST), hostDump(mutate(host,
                    "{\"dst\":\"203.0.113.77\",\"dev\":\"up0\",\"proxy\":null}", "{\"dst\":\"203.0.113.77\",\"dev\":\"up0\"}")),
                    List.of()), "without \"proxy\"");
            assertRejected(() -> new LiveParser(HOST, PROTO).parse(Set.of(HOST), hostDump(mutate(host,
                    "\"dst\":\"203.0.113.66\",\"dev\":\"up0\",\"proxy\":null,\"protocol\":\"147\"",
                    "\"dst\":\"203.0.113.66\",\"dev\":\"up0\",\"proxy\":null,\"protocol\":\"boot\"")), List.of()), "expected a number");
            assertRejected(() -> new LiveParser(HOST, PROTO).parse(Set.of(HOST), hostDump(mutate(host,
                    "\"dst\":\"203.0.113.66\"", "\"dst\":\"203.0.113.0/24\"")), List.of()), "not an IP address");
        }
    }
}
