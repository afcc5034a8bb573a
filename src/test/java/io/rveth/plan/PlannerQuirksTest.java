package io.rveth.plan;

import static io.rveth.live.QuirkFixtures.HOST;
import static io.rveth.live.QuirkFixtures.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.manifest.DesiredState;
import io.rveth.manifest.ManifestReader;
import io.rveth.model.Route;
import io.rveth.model.State;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The planner on the recorded kernel quirks ({@code src/test/resources/ip/quirks/}, see
 * {@link io.rveth.live.LiveParserQuirksTest}): where a quirk changes what a plan must do.
 * The manifest is the one the quirks' base topology was built from.
 */
class PlannerQuirksTest {
    /** rv-web and rv-db as record.sh's build_base makes them; {@code %s} takes more keys for web's eth0. */
    static final String BASE = """
            version: 1
            host: {netns: rvq-host}
            containers:
              web:
                netns: rvq-web
                interfaces:
                  eth0:
                    addresses: [203.0.113.10, 2001:db8:10::10]
            %s
              db:
                netns: rvq-db
                interfaces:
                  eth0:
                    addresses: [203.0.113.20, 2001:db8:20::1/64]
            """;

    static State desired(String webExtra) throws Exception {
        return DesiredState.of(ManifestReader.parse("quirks.yaml", BASE.formatted(webExtra)));
    }

    /** The base manifest, web routing {@code routes} (a YAML flow list) as well. */
    static State desiredWithRoutes(String routes) throws Exception {
        return desired("        routes: " + routes);
    }

    static Plan plan(State desired, String quirk) {
        return Planner.plan(desired, state(quirk), HOST);
    }

    static List<String> lines(Plan plan) {
        return plan.changes().stream().map(c -> c.action().symbol() + " " + c.address()).toList();
    }

    static List<String> commands(Plan plan) {
        return plan.changes().stream().flatMap(c -> c.commands().stream()).map(Command::shell).toList();
    }

    static PlanException conflict(State desired, String quirk) {
        return assertThrows(PlanException.class, () -> plan(desired, quirk), "expected a conflict");
    }

    static void assertMentions(String message, String... parts) {
        for (String part : parts) assertTrue(message.contains(part), "\"" + message + "\" should mention " + part);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tables", "route-types"})
    void foreignQuirksNextToAConvergedHostNeedNothing(String quirk) throws Exception {
        assertEquals(List.of(), lines(plan(desired(""), quirk)));
    }

    // ---- metric duplicates -------------------------------------------------------------------

    @Test
    void ofTwoRoutesThatDifferOnlyByMetricTheUndesiredOneIsDeleted() throws Exception {
        Plan plan = plan(desiredWithRoutes("[2001:db8:40::/64, 203.0.113.70/32]"), "metric-dup");
        assertEquals(List.of("- route.host[\"2001:db8:40::/64\", 2048]", "- route.host[\"203.0.113.70/32\", 100]"), lines(plan));
        assertEquals(List.of("ip -n rvq-host route del 2001:db8:40::/64 dev rv-web proto 147 metric 2048",
                "ip -n rvq-host route del 203.0.113.70/32 dev rv-web proto 147 metric 100"), commands(plan));
        // The deleted ones are exactly the live routes of the other metric.
        for (Change c : plan.changes()) {
            Route before = (Route) c.before();
            assertTrue(before.metric() == 100 || before.metric() == 2048, before.toString());
            assertEquals(null, c.after());
        }
    }

    @Test
    void withNeitherDesiredBothMetricsAreDeleted() throws Exception {
        // Plans list changes of a stage by their address, as text.
        // ... and the IPv6 prefix's anti-spoofing allow rule with them.
        assertEquals(List.of("- route.host[\"2001:db8:40::/64\", 2048]", "- route.host[\"2001:db8:40::/64\"]",
                        "- route.host[\"203.0.113.70/32\", 100]", "- route.host[\"203.0.113.70/32\"]",
                        "- rule.host[\"rv-web\", \"2001:db8:40::/64\"]"),
                lines(plan(desired(""), "metric-dup")));
    }

    // ---- routes of other types ---------------------------------------------------------------

    @Test
    void aForeignBlackholeWhereAHostRouteIsDesiredIsAConflictNamingIt() throws Exception {
        PlanException e = conflict(desiredWithRoutes("[203.0.113.61/32]"), "route-types");
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertMentions(e.problems().get(0), "route.host[\"203.0.113.61/32\"]", "already routed with no device", "blackhole",
                "proto 147", "netns rvq-host", "does not own", "--adopt");
    }

    @Test
    void everyOtherTypeIsAConflictToo() throws Exception {
        // unreachable, prohibit, throw, local in main (on the owned rv-web!), IPv6 blackhole and unreachable.
        for (String dst : List.of("203.0.113.60/32", "203.0.113.62/32", "203.0.113.63/32", "203.0.113.64/32",
                "2001:db8:60::/64", "2001:db8:61::/64")) {
            PlanException e = conflict(desiredWithRoutes("[" + dst + "]"), "route-types");
            assertEquals(1, e.problems().size(), e.problems().toString());
            assertMentions(e.problems().get(0), "route.host[\"" + dst + "\"]", "already routed", "does not own");
        }
    }

    @Test
    void withAdoptTheBlackholeIsReplacedByTheHostRoute() throws Exception {
        Plan plan = Planner.plan(desiredWithRoutes("[203.0.113.61/32]"), state("route-types"), HOST, true);
        assertEquals(List.of("~ route.host[\"203.0.113.61/32\"]"), lines(plan));
        assertEquals(List.of("ip -n rvq-host route replace 203.0.113.61/32 dev rv-web scope link proto 147"), commands(plan));
    }

    // ---- multipath ---------------------------------------------------------------------------

    @Test
    void aMultipathRouteWhereAHostRouteIsDesiredIsAConflict() throws Exception {
        for (String dst : List.of("198.51.100.0/28", "198.51.100.16/28", "198.51.100.48/28")) {
            PlanException e = conflict(desiredWithRoutes("[" + dst + "]"), "multipath");
            assertEquals(1, e.problems().size(), e.problems().toString());
            assertMentions(e.problems().get(0), "route.host[\"" + dst + "\"]", "already routed with no device", "multipath",
                    "proto 147", "does not own");
        }
    }

    @Test
    void multipathRoutesAreNeverDeleted() throws Exception {
        Plan plan = plan(desired(""), "multipath");
        for (Change c : plan.changes()) {
            assertFalse(c.address().contains("198.51.100.0/28") || c.address().contains("198.51.100.16/28")
                    || c.address().contains("198.51.100.48/28") || c.address().contains("2001:db8:50::/64")
                    || c.address().contains("10.80.0.0/16"), c.address());
        }
    }

    @Test
    void aRouteThroughANexthopObjectIsSomeoneElsesAndAConflictNamingIt() throws Exception {
        // ip prints "nhid":7 and "dev":"rv-web": rveth never makes nexthop objects, so the route is not its own.
        PlanException e = assertThrows(PlanException.class, () -> plan(desiredWithRoutes("[198.51.100.32/28]"), "multipath"));
        assertTrue(e.getMessage().contains("198.51.100.32/28 is already routed dev rv-web"), e.getMessage());
    }

    @Test
    void aNexthopObjectRouteThatIsNotDesiredGetsADeleteTheKernelAccepts() throws Exception {
        Plan plan = plan(desired(""), "multipath");
        // The kernel matches a route that uses a nexthop object only without dev/via (or with its nhid).
        assertFalse(commands(plan).contains("ip -n rvq-host route del 198.51.100.32/28 dev rv-web proto 147"), commands(plan).toString());
    }

    // ---- linkdown, down/up ---------------------------------------------------------------------

    @Test
    void aDownPeerIsRaisedAndWhatItLostIsMadeAgainButLinkdownHostRoutesStay() throws Exception {
        State want = desiredWithRoutes("[{to: 198.51.100.0/28, via: 203.0.113.10}, {to: 2001:db8:11::/48, via: 2001:db8:10::10}]");
        Plan plan = plan(want, "linkdown");
        assertEquals(List.of(
                "~ veth.web[\"eth0\"]",
                "+ address.rvq-web.eth0[\"2001:db8:10::10/128\"]",
                "+ route.rvq-web[\"169.254.0.1/32\"]",
                "+ route.rvq-web[\"0.0.0.0/0\"]",
                "+ route.rvq-web[\"::/0\"]"), lines(plan));
        assertEquals("peer is down", plan.changes().get(0).reason());
        assertEquals(List.of("ip -n rvq-web link set dev eth0 up"),
                plan.changes().get(0).commands().stream().map(Command::shell).toList());
    }

    @Test
    void afterDownAndUpOnlyWhatTheKernelDroppedIsMadeAgain() throws Exception {
        Plan plan = plan(desired(""), "down-up");
        assertEquals(List.of(
                "+ address.host.rv-web[\"fe80::1/128\"]",
                "+ address.rvq-db.eth0[\"2001:db8:20::1/64\"]",
                "+ route.rvq-db[\"169.254.0.1/32\"]",
                "+ route.rvq-db[\"0.0.0.0/0\"]",
                "+ route.rvq-db[\"::/0\"]",
                "+ route.host[\"2001:db8:10::10/128\"]",
                "+ route.host[\"203.0.113.10/32\"]"), lines(plan));
        assertEquals(0, plan.toDestroy());
    }

    // ---- other tables, expires ---------------------------------------------------------------

    @Test
    void aRouteOnlyInAnotherTableIsCreatedInMain() throws Exception {
        Plan plan = plan(desiredWithRoutes("[203.0.113.11/32]"), "tables");
        assertEquals(List.of("+ route.host[\"203.0.113.11/32\"]"), lines(plan));
        assertEquals(List.of("ip -n rvq-host route add 203.0.113.11/32 dev rv-web scope link proto 147"), commands(plan));
    }

    @Test
    void expiringRoutesAreDeletedWhenNotDesiredAndCountAsConvergedWhenDesired() throws Exception {
        assertEquals(List.of("- route.host[\"2001:db8:30::/64\"]", "- rule.host[\"rv-web\", \"2001:db8:30::/64\"]",
                "- route.rvq-web[\"2001:db8:32::/64\"]"), lines(plan(desired(""), "expires")));
        // rveth does not read "expires": the route will vanish on its own, and plan then shows drift.
        assertEquals(List.of("- route.rvq-web[\"2001:db8:32::/64\"]"), lines(plan(desiredWithRoutes("[2001:db8:30::/64]"), "expires")));
    }
}
