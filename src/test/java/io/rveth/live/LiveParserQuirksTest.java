package io.rveth.live;

import static io.rveth.live.QuirkFixtures.DB;
import static io.rveth.live.QuirkFixtures.HOST;
import static io.rveth.live.QuirkFixtures.PROTO;
import static io.rveth.live.QuirkFixtures.WEB;
import static io.rveth.live.QuirkFixtures.state;
import static io.rveth.live.QuirkFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inet.ipaddr.IPAddressString;
import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Netns;
import io.rveth.model.PolicyRule;
import io.rveth.model.Prefix;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Veth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LiveParser} on kernel and iproute2 quirks, each recorded from a real run by
 * {@code src/test/resources/ip/quirks/record.sh} (see there for how each case was built).
 * Every case starts from the same base: rv-web &lt;-&gt; eth0 in rvq-web (203.0.113.10,
 * 2001:db8:10::10) and rv-db &lt;-&gt; eth0 in rvq-db (203.0.113.20, 2001:db8:20::1/64) as
 * rveth builds them, next to an unowned veth pair vx-unowned / vx-unowned-p (10.66.0.1/24).
 *
 * <p>For each case the test states exactly what is owned, exactly what is foreign
 * (main-table routes and addresses others hold), and that no foreign object ever reaches the
 * owned lists.
 */
class LiveParserQuirksTest {

    // ---- model shorthands --------------------------------------------------------------------

    static Route route(Netns ns, String dst, String dev, int protocol, long metric) {
        return new Route(ns, Prefix.parse(dst), dev, Optional.empty(), false, protocol, metric);
    }

    static Route owned(Netns ns, String dst, String dev, long metric) {
        return route(ns, dst, dev, PROTO, metric);
    }

    static Route ownedVia(Netns ns, String dst, String dev, String via, boolean onlink, long metric) {
        return new Route(ns, Prefix.parse(dst), dev, Optional.of(new IPAddressString(via).getAddress()), onlink, PROTO, metric);
    }

    /** A route ip printed without a top-level "dev": multipath, nexthop groups, blackhole ... */
    static Route devless(Netns ns, String dst, long metric) {
        return route(ns, dst, "", PROTO, metric);
    }

    static Address addr(Netns ns, String dev, String cidr) {
        return new Address(ns, dev, Cidr.parse(cidr));
    }

    // ---- the base every case starts from -------------------------------------------------------

    static List<Address> baseOwnedAddresses() {
        return new ArrayList<>(List.of(
                addr(HOST, "rv-web", "169.254.0.1/32"), addr(HOST, "rv-web", "fe80::1/128"),
                addr(HOST, "rv-db", "169.254.0.1/32"), addr(HOST, "rv-db", "fe80::1/128"),
                addr(WEB, "eth0", "203.0.113.10/32"), addr(WEB, "eth0", "2001:db8:10::10/128"),
                addr(DB, "eth0", "203.0.113.20/32"), addr(DB, "eth0", "2001:db8:20::1/64")));
    }

    static List<Address> baseForeignAddresses() {
        return new ArrayList<>(List.of(
                addr(HOST, "lo", "127.0.0.1/8"), addr(HOST, "lo", "::1/128"), addr(HOST, "vx-unowned", "10.66.0.1/24"),
                addr(WEB, "lo", "127.0.0.1/8"), addr(WEB, "lo", "::1/128"),
                addr(DB, "lo", "127.0.0.1/8"), addr(DB, "lo", "::1/128")));
    }

    static List<Route> gatewayRoutes(Netns ns) {
        return List.of(owned(ns, "169.254.0.1/32", "eth0", 0),
                ownedVia(ns, "0.0.0.0/0", "eth0", "169.254.0.1", false, 0),
                ownedVia(ns, "::/0", "eth0", "fe80::1", false, 1024));
    }

    static List<Route> baseOwnedRoutes() {
        List<Route> out = new ArrayList<>(List.of(
                owned(HOST, "203.0.113.10/32", "rv-web", 0), owned(HOST, "2001:db8:10::10/128", "rv-web", 1024),
                owned(HOST, "203.0.113.20/32", "rv-db", 0), owned(HOST, "2001:db8:20::/64", "rv-db", 1024)));
        out.addAll(gatewayRoutes(WEB));
        out.addAll(gatewayRoutes(DB));
        return out;
    }

    /** The kernel's own main-table routes (proto 2): connected networks and link-locals. */
    static List<Route> baseForeignRoutes() {
        return new ArrayList<>(List.of(
                route(HOST, "10.66.0.0/24", "vx-unowned", 2, 0),
                route(HOST, "fe80::1/128", "rv-web", 2, 256), route(HOST, "fe80::1/128", "rv-db", 2, 256),
                route(HOST, "fe80::/64", "rv-web", 2, 256), route(HOST, "fe80::/64", "rv-db", 2, 256),
                route(HOST, "fe80::/64", "vx-unowned", 2, 256), route(HOST, "fe80::/64", "vx-unowned-p", 2, 256),
                route(WEB, "2001:db8:10::10/128", "eth0", 2, 256), route(WEB, "fe80::/64", "eth0", 2, 256),
                route(DB, "2001:db8:20::/64", "eth0", 2, 256), route(DB, "fe80::/64", "eth0", 2, 256)));
    }

    // ---- assertions --------------------------------------------------------------------------

    /** Compares as sets, but also refuses duplicates, which a set would hide. */
    static <T> void assertSameElements(List<T> expected, List<T> actual, String what) {
        Set<T> want = new HashSet<>(expected);
        Set<T> have = new HashSet<>(actual);
        Set<T> missing = new HashSet<>(want);
        missing.removeAll(have);
        Set<T> extra = new HashSet<>(have);
        extra.removeAll(want);
        assertTrue(missing.isEmpty() && extra.isEmpty(), what + ": missing " + missing + ", unexpected " + extra);
        assertEquals(have.size(), actual.size(), what + " has duplicates: " + actual);
    }

    /** The links rveth owns in each namespace: host ends, and the peers it found. */
    static Map<Netns, Set<String>> ownedLinks(State s) {
        Map<Netns, Set<String>> out = new HashMap<>();
        for (Veth v : s.veths()) {
            out.computeIfAbsent(v.host().netns(), k -> new HashSet<>()).add(v.host().name());
            if (!v.peer().name().equals("?")) out.computeIfAbsent(v.peer().netns(), k -> new HashSet<>()).add(v.peer().name());
        }
        return out;
    }

    /**
     * Nothing foreign in the owned lists: every owned route carries rveth's protocol and an
     * owned device, every owned address sits on an owned link, no object is both, and no
     * foreign link is an owned one.
     */
    static void assertNothingForeignIsOwned(State s) {
        Map<Netns, Set<String>> mine = ownedLinks(s);
        for (Route r : s.routes()) {
            assertEquals(PROTO, r.protocol(), "owned route with another protocol: " + r);
            assertTrue(mine.getOrDefault(r.netns(), Set.of()).contains(r.dev()), "owned route on a link rveth does not own: " + r);
            assertFalse(s.foreignRoutes().contains(r), "route both owned and foreign: " + r);
        }
        for (Address a : s.addresses()) {
            assertTrue(mine.getOrDefault(a.netns(), Set.of()).contains(a.dev()), "owned address on a link rveth does not own: " + a);
            assertFalse(s.foreignAddresses().contains(a), "address both owned and foreign: " + a);
        }
        for (Address a : s.foreignAddresses()) {
            assertFalse(mine.getOrDefault(a.netns(), Set.of()).contains(a.dev()), "foreign address on an owned link: " + a);
        }
        for (Map.Entry<Netns, Set<String>> e : s.foreignLinks().entrySet()) {
            for (String name : e.getValue()) {
                assertFalse(mine.getOrDefault(e.getKey(), Set.of()).contains(name), "link both owned and foreign: " + name);
            }
        }
    }

    static void assertState(State s, List<Route> ownedRoutes, List<Route> foreignRoutes,
                            List<Address> ownedAddresses, List<Address> foreignAddresses) {
        assertSameElements(ownedRoutes, s.routes(), "owned routes");
        assertSameElements(foreignRoutes, s.foreignRoutes(), "foreign routes");
        assertSameElements(ownedAddresses, s.addresses(), "owned addresses");
        assertSameElements(foreignAddresses, s.foreignAddresses(), "foreign addresses");
        assertNothingForeignIsOwned(s);
    }

    static void assertBaseLinks(State s) {
        assertEquals(Set.of("rv-web", "rv-db"), s.veths().stream().map(v -> v.host().name()).collect(Collectors.toSet()));
        assertEquals(Map.of(HOST, Set.of("lo", "vx-unowned", "vx-unowned-p"), WEB, Set.of("lo"), DB, Set.of("lo")),
                s.foreignLinks());
    }

    // ---- the cases ---------------------------------------------------------------------------

    @Nested
    class Multipath {
        final State s = state("multipath");

        @Test
        void recordedShape() {
            String host = text("multipath", "host.json");
            // No top-level "dev" on multipath routes: the devices are inside "nexthops".
            assertTrue(host.contains("{\"dst\":\"198.51.100.0/28\",\"protocol\":\"147\",\"flags\":[],\"nexthops\":[{\"dev\":\"rv-web\""), host);
            // A route through a single nexthop object prints its "nhid" and its device.
            assertTrue(host.contains("{\"dst\":\"198.51.100.32/28\",\"nhid\":7,\"dev\":\"rv-web\",\"protocol\":\"147\""), host);
            // A route through a nexthop group prints "nhid" and "nexthops", no "dev".
            assertTrue(host.contains("{\"dst\":\"198.51.100.48/28\",\"nhid\":9,\"protocol\":\"147\",\"flags\":[],\"nexthops\":["), host);
        }

        @Test
        void multipathRoutesAreForeignEvenOverOwnedHostEndsOnly() {
            List<Route> ownedRoutes = baseOwnedRoutes();
            List<Route> foreignRoutes = baseForeignRoutes();
            // nhid 7: one nexthop object on rv-web. rveth never makes nexthop objects, so even
            // with its protocol and device the route is not its own (it could not delete it by dev).
            foreignRoutes.add(new Route(HOST, Prefix.parse("198.51.100.32/28"), "rv-web", Optional.empty(), false, 147, 0));
            foreignRoutes.addAll(List.of(
                    devless(HOST, "198.51.100.0/28", 0),        // over rv-web and rv-db
                    devless(HOST, "198.51.100.16/28", 0),       // over rv-web and vx-unowned
                    devless(HOST, "198.51.100.48/28", 0),       // nexthop group 9
                    devless(HOST, "2001:db8:50::/64", 1024),    // IPv6, over rv-web and rv-db
                    devless(WEB, "10.80.0.0/16", 0)));          // in the container, over eth0 twice
            assertState(s, ownedRoutes, foreignRoutes, baseOwnedAddresses(), baseForeignAddresses());
            assertBaseLinks(s);
        }

        @Test
        void theNexthopsNeverLeakIntoTheOwnedList() {
            // The gateways inside "nexthops" are not read: no owned route via 203.0.113.10 or 2001:db8:20::1.
            assertTrue(s.routes().stream().noneMatch(r -> r.dst().toString().startsWith("198.51.100.")
                    && !r.dst().equals(Prefix.parse("198.51.100.32/28"))), s.routes()::toString);
            assertTrue(s.routes().stream().noneMatch(r -> r.dst().equals(Prefix.parse("2001:db8:50::/64"))));
            assertTrue(s.routes().stream().allMatch(r -> r.via().isEmpty()
                    || Set.of("169.254.0.1", "fe80::1").contains(r.via().get().toCanonicalString())), s.routes()::toString);
        }
    }

    @Nested
    class RouteTypes {
        final State s = state("route-types");

        @Test
        void recordedShape() {
            String host = text("route-types", "host.json");
            // ip -N prints the type as a number: 6 blackhole, 7 unreachable, 8 prohibit, 9 throw, 2 local.
            assertTrue(host.contains("{\"type\":\"6\",\"dst\":\"203.0.113.61\",\"protocol\":\"147\",\"flags\":[]}"), host);
            assertTrue(host.contains("{\"type\":\"2\",\"dst\":\"203.0.113.64\",\"dev\":\"rv-web\",\"protocol\":\"147\""), host);
            // IPv6 blackhole and unreachable routes print dev lo.
            assertTrue(host.contains("{\"type\":\"6\",\"dst\":\"2001:db8:60::/64\",\"dev\":\"lo\",\"protocol\":\"147\""), host);
        }

        @Test
        void routesOfOtherTypesAreForeignWhateverTheirProtocolAndDevice() {
            List<Route> foreignRoutes = baseForeignRoutes();
            foreignRoutes.addAll(List.of(
                    devless(HOST, "203.0.113.60/32", 0),                   // unreachable
                    devless(HOST, "203.0.113.61/32", 0),                   // blackhole
                    devless(HOST, "203.0.113.62/32", 0),                   // prohibit
                    devless(HOST, "203.0.113.63/32", 0),                   // throw
                    owned(HOST, "203.0.113.64/32", "rv-web", 0),           // local, main table, on the owned rv-web
                    route(HOST, "2001:db8:60::/64", "lo", PROTO, 1024),    // blackhole
                    route(HOST, "2001:db8:61::/64", "lo", PROTO, 1024),    // unreachable
                    devless(HOST, "0.0.0.0/0", 4096),                      // unreachable default
                    route(HOST, "::/0", "lo", PROTO, 4096),                // unreachable default, IPv6 by its "pref"
                    devless(WEB, "10.81.0.0/16", 0),                       // blackhole
                    owned(WEB, "10.82.0.1/32", "eth0", 0)));               // local, main table, on the owned eth0
            assertState(s, baseOwnedRoutes(), foreignRoutes, baseOwnedAddresses(), baseForeignAddresses());
            assertBaseLinks(s);
        }

        @Test
        void aLocalRouteOnAnOwnedLinkLooksLikeAnOwnedOneButIsNot() {
            // Same netns, destination, device, protocol and metric as a host route rveth would make:
            // only the type (local) tells them apart, and it keeps the route out of the owned list.
            Route local = owned(HOST, "203.0.113.64/32", "rv-web", 0);
            assertTrue(s.foreignRoutes().contains(local));
            assertFalse(s.routes().contains(local));
        }
    }

    @Nested
    class Linkdown {
        final State s = state("linkdown");

        @Test
        void recordedShape() {
            String host = text("linkdown", "host.json");
            assertTrue(host.contains("\"ifname\":\"rv-web\",\"flags\":[\"NO-CARRIER\",\"BROADCAST\",\"MULTICAST\",\"UP\"]"), host);
            assertTrue(host.contains("{\"dst\":\"203.0.113.10\",\"dev\":\"rv-web\",\"protocol\":\"147\",\"scope\":\"253\",\"flags\":[\"linkdown\"]}"), host);
            assertTrue(host.contains("\"flags\":[\"onlink\",\"linkdown\"]"), host);
        }

        @Test
        void linkdownRoutesOnTheHostEndStayOwnedAndOnlinkIsStillRead() {
            List<Route> ownedRoutes = new ArrayList<>(List.of(
                    owned(HOST, "203.0.113.10/32", "rv-web", 0), owned(HOST, "2001:db8:10::10/128", "rv-web", 1024),
                    ownedVia(HOST, "198.51.100.0/28", "rv-web", "203.0.113.10", true, 0),
                    ownedVia(HOST, "2001:db8:11::/48", "rv-web", "2001:db8:10::10", true, 1024),
                    owned(HOST, "203.0.113.20/32", "rv-db", 0), owned(HOST, "2001:db8:20::/64", "rv-db", 1024)));
            // web's eth0 is down: the kernel took all its routes and its IPv6 address.
            ownedRoutes.addAll(gatewayRoutes(DB));
            List<Address> ownedAddresses = baseOwnedAddresses();
            ownedAddresses.remove(addr(WEB, "eth0", "2001:db8:10::10/128"));
            List<Route> foreignRoutes = baseForeignRoutes();
            foreignRoutes.removeIf(r -> r.netns().equals(WEB));
            assertState(s, ownedRoutes, foreignRoutes, ownedAddresses, baseForeignAddresses());
            assertBaseLinks(s);
        }

        @Test
        void hostEndIsUpWithoutCarrierAndThePeerIsDown() {
            Veth web = s.veths().stream().filter(v -> v.host().name().equals("rv-web")).findFirst().orElseThrow();
            assertTrue(web.host().up(), "NO-CARRIER but administratively UP");
            assertEquals(WEB, web.peer().netns());
            assertEquals("eth0", web.peer().name());
            assertFalse(web.peer().up());
        }
    }

    @Nested
    class Tables {
        final State s = state("tables");

        @Test
        void recordedShape() {
            String host = text("tables", "host.json");
            assertTrue(host.contains("{\"dst\":\"203.0.113.11\",\"dev\":\"rv-web\",\"table\":\"100\",\"protocol\":\"147\""), host);
            assertTrue(host.contains("\"table\":\"253\""), host);
            assertTrue(host.contains("\"table\":\"4000000000\""), host);
            assertTrue(text("tables", "web.json").contains("{\"dst\":\"default\",\"gateway\":\"169.254.0.1\",\"dev\":\"eth0\",\"table\":\"200\""));
        }

        @Test
        void routesInOtherTablesAreNeitherOwnedNorForeign() {
            // Owned and foreign are main-table notions: table 100, 253 (default), 4000000000 and
            // web's table 200 appear in neither list, even with rveth's protocol on owned links.
            assertState(s, baseOwnedRoutes(), baseForeignRoutes(), baseOwnedAddresses(), baseForeignAddresses());
            for (String dst : List.of("203.0.113.11/32", "203.0.113.12/32", "203.0.113.13/32", "2001:db8:12::/64", "10.83.0.0/16")) {
                Prefix p = Prefix.parse(dst);
                assertTrue(s.routes().stream().noneMatch(r -> r.dst().equals(p)), dst + " owned");
                assertTrue(s.foreignRoutes().stream().noneMatch(r -> r.dst().equals(p)), dst + " foreign");
            }
            // 203.0.113.10/32 is in table 100 and in main: one owned route, not two.
            assertEquals(1, s.routes().stream().filter(r -> r.dst().equals(Prefix.parse("203.0.113.10/32"))).count());
            // web's default in table 200 does not double the main one.
            assertEquals(2, s.routes().stream().filter(r -> r.netns().equals(WEB) && r.dst().isDefault()).count());
        }
    }

    @Nested
    class Expires {
        final State s = state("expires");

        @Test
        void recordedShape() {
            assertTrue(text("expires", "host.json").matches("(?s).*\\{\"dst\":\"2001:db8:30::/64\",\"dev\":\"rv-web\",\"protocol\":\"147\","
                    + "\"metric\":1024,\"flags\":\\[],\"expires\":\\d+,.*"));
        }

        @Test
        void anExpiringRouteIsAnOrdinaryRoute() {
            List<Route> ownedRoutes = baseOwnedRoutes();
            ownedRoutes.add(owned(HOST, "2001:db8:30::/64", "rv-web", 1024));
            ownedRoutes.add(owned(WEB, "2001:db8:32::/64", "eth0", 1024));
            List<Route> foreignRoutes = baseForeignRoutes();
            foreignRoutes.add(owned(HOST, "2001:db8:31::/64", "vx-unowned", 1024)); // proto 147, but on vx-unowned
            assertState(s, ownedRoutes, foreignRoutes, baseOwnedAddresses(), baseForeignAddresses());
            assertBaseLinks(s);
        }
    }

    @Nested
    class MetricDuplicates {
        final State s = state("metric-dup");

        @Test
        void routesThatDifferOnlyByMetricAreDistinctOwnedRoutes() {
            List<Route> ownedRoutes = baseOwnedRoutes();
            ownedRoutes.addAll(List.of(
                    owned(HOST, "2001:db8:40::/64", "rv-web", 1024), owned(HOST, "2001:db8:40::/64", "rv-web", 2048),
                    owned(HOST, "203.0.113.70/32", "rv-web", 0), owned(HOST, "203.0.113.70/32", "rv-web", 100)));
            assertState(s, ownedRoutes, baseForeignRoutes(), baseOwnedAddresses(), baseForeignAddresses());
            // Distinct kernel objects: their keys differ.
            assertEquals(2, s.routes().stream().filter(r -> r.dst().equals(Prefix.parse("2001:db8:40::/64")))
                    .map(Route::key).distinct().count());
        }
    }

    @Nested
    class DownUp {
        final State s = state("down-up");

        @Test
        void whatIsLeftAfterDownAndUpOnAHostEndAndOnAPeer() {
            // rv-web down/up: its routes and its IPv6 gateway fe80::1/128 are gone; 169.254.0.1/32 stays.
            // db's eth0 down/up: all db routes and its IPv6 address are gone; the IPv4 one stays;
            // the host routes on rv-db stay.
            List<Route> ownedRoutes = new ArrayList<>(List.of(
                    owned(HOST, "203.0.113.20/32", "rv-db", 0), owned(HOST, "2001:db8:20::/64", "rv-db", 1024)));
            ownedRoutes.addAll(gatewayRoutes(WEB));
            List<Address> ownedAddresses = baseOwnedAddresses();
            ownedAddresses.remove(addr(HOST, "rv-web", "fe80::1/128"));
            ownedAddresses.remove(addr(DB, "eth0", "2001:db8:20::1/64"));
            List<Route> foreignRoutes = baseForeignRoutes();
            foreignRoutes.remove(route(HOST, "fe80::1/128", "rv-web", 2, 256));
            foreignRoutes.remove(route(DB, "2001:db8:20::/64", "eth0", 2, 256));
            assertState(s, ownedRoutes, foreignRoutes, ownedAddresses, baseForeignAddresses());
            assertBaseLinks(s);
        }

        @Test
        void bothPairsAreUpAndStillOwned() {
            for (Veth v : s.veths()) {
                assertTrue(v.host().up() && v.peer().up(), v.toString());
                assertTrue(Veth.isOwnedAlias(v.alias()), v.toString());
            }
            assertEquals(Set.of(WEB, DB), s.veths().stream().map(v -> v.peer().netns()).collect(Collectors.toSet()));
        }
    }

    // ---- rveth's IPv6 rules, read next to every quirk ------------------------------------------

    /** The anti-spoofing rules record.sh gives a host end, as the planner makes them. */
    static List<PolicyRule> antiSpoofing(String hostEnd, String... prefixes) {
        List<PolicyRule> out = new ArrayList<>();
        for (String p : prefixes) out.add(new PolicyRule(HOST, PolicyRule.ALLOW, hostEnd, Prefix.parse(p), false, PROTO));
        out.add(new PolicyRule(HOST, PolicyRule.ALLOW, hostEnd, PolicyRule.LINK_LOCAL, false, PROTO));
        out.add(new PolicyRule(HOST, PolicyRule.DROP, hostEnd, Prefix.parse("::/0"), true, PROTO));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"multipath,", "route-types,", "linkdown,2001:db8:11::/48", "tables,", "expires,2001:db8:30::/64",
            "metric-dup,2001:db8:40::/64", "down-up,"})
    void theRulesNextToEachQuirkAreRead(String quirk, String extra) {
        List<PolicyRule> want = new ArrayList<>(extra == null ? antiSpoofing("rv-web", "2001:db8:10::10/128")
                : antiSpoofing("rv-web", "2001:db8:10::10/128", extra));
        want.addAll(antiSpoofing("rv-db", "2001:db8:20::/64"));
        // The kernel's own rules (local, main, default) carry no protocol 147: not rveth's.
        assertSameElements(want, state(quirk).rules(), quirk + " rules");
    }

    // ---- older iproute2: text instead of JSON -----------------------------------------------

    @Nested
    class PlainText {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"host-route-show.txt", "web-route-show.txt", "web-mixed.txt"})
        void textIsRejectedWithAClearMessage(String file) {
            String text = text("plain-text", file);
            boolean host = file.startsWith("host");
            Netns ns = host ? HOST : WEB;
            IpOutputException e = assertThrows(IpOutputException.class, () -> NamespaceDump.parse(ns, text, host));
            assertNotNull(e.getMessage());
            for (String part : List.of(ns.name(), "not JSON", "iproute2", "-j")) {
                assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" should mention " + part);
            }
        }

        @Test
        void recordedShape() {
            assertTrue(text("plain-text", "host-route-show.txt").startsWith("10.66.0.0/24 dev vx-unowned proto kernel"));
            assertTrue(text("plain-text", "web-route-show.txt").startsWith("default via 169.254.0.1 dev eth0 proto 147"));
            // The JSON of addr show, then the text of route show.
            assertTrue(text("plain-text", "web-mixed.txt").startsWith("[{\"ifindex\":1,\"ifname\":\"lo\""));
            assertTrue(text("plain-text", "web-mixed.txt").contains("]\ndefault via 169.254.0.1 dev eth0 proto 147"));
        }
    }
}
