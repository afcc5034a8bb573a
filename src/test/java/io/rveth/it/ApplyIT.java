package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** rveth against the real kernel: namespaces, real ip, real packets. */
class ApplyIT {
    static final String MANIFEST = """
            version: 1
            host: {netns: "@NS@-host", create-netns: true}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [203.0.113.10/32, 2001:db8:10::10/128]
              db:
                netns: "@NS@-db"
                create-netns: true
                interfaces:
                  eth0:
                    mtu: 1500
                    addresses: [203.0.113.20/32, 10.20.0.1/24, 2001:db8:20::1/64]
                    routes: [198.51.100.0/28]
            """;

    Sandbox box;
    String host;
    String web;
    String db;

    @BeforeEach
    void sandbox() {
        box = new Sandbox();
        host = box.ns("host");
        web = box.ns("web");
        db = box.ns("db");
    }

    @AfterEach
    void cleanup() {
        if (box != null) box.close();
    }

    Sandbox.Run apply(String yaml) {
        return rveth("apply", "-f", box.manifest("m.yaml", yaml).toString());
    }

    Sandbox.Run plan(String yaml) {
        return rveth("plan", "-f", box.manifest("m.yaml", yaml).toString());
    }

    /** The change lines of a plan: "+ route.host[...]", without the detail column. */
    static List<String> changes(Sandbox.Run plan) {
        return plan.out().lines().filter(l -> l.matches("\\s*(\\+|-|~|-/\\+) \\S+\\[.*"))
                .map(l -> l.strip().replaceAll("^(\\S+)\\s+(\\S+).*", "$1 $2")).toList();
    }

    @Test
    void appliesFromScratchPacketsFlowAndSecondApplyDoesNothing() {
        Sandbox.Run first = apply(MANIFEST);
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().contains("Apply complete! Resources: "), first.toString());

        // The host reaches every container address, IPv4 and IPv6.
        for (String a : List.of("203.0.113.10", "2001:db8:10::10")) assertTrue(box.ping(host, a), "host -> web " + a);
        for (String a : List.of("203.0.113.20", "10.20.0.1", "2001:db8:20::1")) assertTrue(box.ping(host, a), "host -> db " + a);
        // Containers reach each other through the host.
        assertTrue(box.ping(web, "203.0.113.20"), "web -> db v4");
        assertTrue(box.ping(web, "2001:db8:20::1"), "web -> db v6");
        assertTrue(box.ping(db, "2001:db8:10::10"), "db -> web v6");

        Sandbox.Run second = apply(MANIFEST);
        assertEquals(0, second.exit(), second.toString());
        assertEquals("No changes. Live state matches the manifest.\n", second.out());
    }

    @Test
    void hostSideIsBuiltAsSpecified() {
        assertEquals(0, apply(MANIFEST).exit());
        String link = box.ip(host, "-d", "link", "show", "rv-web");
        assertTrue(link.contains("alias rveth:web/eth0"), link);
        String routes = box.ip(host, "route", "show", "203.0.113.10/32");
        assertTrue(routes.contains("dev rv-web proto 147 scope link"), routes);
        String addrs = box.ip(host, "-br", "addr", "show", "rv-web");
        assertTrue(addrs.contains("169.254.0.1/32") && addrs.contains("fe80::1/128"), addrs);
        String inside = box.ip(web, "route", "show");
        assertTrue(inside.contains("default via 169.254.0.1 dev eth0 proto 147"), inside);
        assertTrue(inside.contains("169.254.0.1 dev eth0 proto 147 scope link"), inside);
        assertTrue(box.ip(web, "-6", "route", "show").contains("default via fe80::1 dev eth0 proto 147"));
        assertTrue(box.ip(web, "link", "show", "lo").contains("UP"));
        String netconf = box.ip(host, "netconf", "show", "dev", "rv-web");
        assertTrue(netconf.contains("rp_filter strict"), netconf);
    }

    @Test
    void anAddressRoutedToOneContainerIsNotReachableThroughAnother() {
        assertEquals(0, apply(MANIFEST).exit());
        // db also holds web's address, unrouted; web drops it. Packets still go to web only.
        box.ip(db, "addr", "add", "203.0.113.10/32", "dev", "eth0");
        box.ip(web, "addr", "del", "203.0.113.10/32", "dev", "eth0");
        assertFalse(box.ping(host, "203.0.113.10"), "203.0.113.10 must not be answered by db");
        assertTrue(box.ping(host, "203.0.113.20"), "db itself still answers");
    }

    @Test
    void addingOneAddressIsExactlyAnAddressAndItsRoute() {
        assertEquals(0, apply(MANIFEST).exit());
        String more = MANIFEST.replace("[203.0.113.10/32, ", "[203.0.113.10/32, 203.0.113.11/32, ");
        assertEquals(List.of("+ address.@NS@-web.eth0[\"203.0.113.11/32\"]".replace("@NS@", box.prefix),
                "+ route.host[\"203.0.113.11/32\"]"), changes(plan(more)));
        assertEquals(0, apply(more).exit());
        assertTrue(box.ping(host, "203.0.113.11"));
        assertEquals("No changes. Live state matches the manifest.\n", plan(more).out());
    }

    @Test
    void mtuChangeIsOneInPlaceUpdate() {
        assertEquals(0, apply(MANIFEST).exit());
        String bigger = MANIFEST.replace("mtu: 1500", "mtu: 9000");
        Sandbox.Run plan = plan(bigger);
        assertEquals(List.of("~ veth.db[\"eth0\"]"), changes(plan), plan.toString());
        assertTrue(plan.out().contains("Plan: 0 to add, 1 to change, 0 to destroy."), plan.out());
        assertEquals(0, apply(bigger).exit());
        assertTrue(box.ip(host, "link", "show", "rv-db").contains("mtu 9000"));
        assertTrue(box.ip(db, "link", "show", "eth0").contains("mtu 9000"));
        assertTrue(box.ping(host, "10.20.0.1"), "the pair still works");
    }

    @Test
    void removingAContainerDeletesItsVethAndAllThatWentWithIt() {
        assertEquals(0, apply(MANIFEST).exit());
        String onlyWeb = MANIFEST.substring(0, MANIFEST.indexOf("  db:"));
        assertEquals(List.of("- veth.db[\"eth0\"]"), changes(plan(onlyWeb)));
        assertEquals(0, apply(onlyWeb).exit());
        String links = box.ip(host, "-br", "link");
        assertFalse(links.contains("rv-db"), links);
        String routes = box.ip(host, "route", "show", "proto", "147");
        assertFalse(routes.contains("rv-db") || routes.contains("198.51.100.0"), routes);
        assertTrue(box.ping(host, "203.0.113.10"), "web is untouched");

        String none = MANIFEST.substring(0, MANIFEST.indexOf("containers:")) + "containers: {}\n";
        assertEquals(0, apply(none).exit());
        assertEquals("", box.ip(host, "route", "show", "proto", "147"));
        assertEquals("", box.ip(host, "-6", "route", "show", "proto", "147"));
    }

    @Test
    void routeDeletedByHandComesBack() {
        assertEquals(0, apply(MANIFEST).exit());
        box.ip(host, "route", "del", "198.51.100.0/28");
        assertEquals(List.of("+ route.host[\"198.51.100.0/28\"]"), changes(plan(MANIFEST)));
        assertEquals(0, apply(MANIFEST).exit());
        assertTrue(box.ip(host, "route", "show", "198.51.100.0/28").contains("dev rv-db"));
    }

    @Test
    void driftInsideTheContainerIsRepaired() {
        assertEquals(0, apply(MANIFEST).exit());
        box.ip(web, "route", "del", "default");
        box.ip(web, "addr", "del", "2001:db8:10::10/128", "dev", "eth0");
        List<String> changes = changes(plan(MANIFEST));
        assertEquals(List.of("+ address.@NS@-web.eth0[\"2001:db8:10::10/128\"]".replace("@NS@", box.prefix),
                "+ route.@NS@-web[\"0.0.0.0/0\"]".replace("@NS@", box.prefix)), changes);
        assertEquals(0, apply(MANIFEST).exit());
        assertTrue(box.ping(web, "203.0.113.20"));
        assertTrue(box.ping(host, "2001:db8:10::10"));
    }

    @Test
    void anInterfaceTakenDownComesBackWithWhatTheKernelFlushed() {
        assertEquals(0, apply(MANIFEST).exit());
        // Down flushes the link's routes and its IPv6 addresses.
        box.ip(db, "link", "set", "eth0", "down");
        List<String> changes = changes(plan(MANIFEST));
        assertTrue(changes.contains("~ veth.db[\"eth0\"]"), changes.toString());
        assertTrue(changes.contains("+ route.@NS@-db[\"0.0.0.0/0\"]".replace("@NS@", box.prefix)), changes.toString());
        assertEquals(0, apply(MANIFEST).exit());
        assertTrue(box.ping(db, "203.0.113.10"), "db -> web v4");
        assertTrue(box.ping(db, "2001:db8:10::10"), "db -> web v6");
    }

    @Test
    void peerMovedToAnotherNetnsIsRecreated() {
        assertEquals(0, apply(MANIFEST).exit());
        String moved = MANIFEST.replace("netns: \"@NS@-web\"", "netns: \"@NS@-web2\"");
        Sandbox.Run plan = plan(moved);
        assertTrue(changes(plan).contains("- veth.web[\"eth0\"]"), plan.toString());
        assertTrue(changes(plan).contains("+ veth.web[\"eth0\"]"), plan.toString());
        assertTrue(plan.out().contains("peer is in netns " + web + ", manifest wants " + box.ns("web2")), plan.out());
        assertEquals(0, apply(moved).exit());
        assertTrue(box.ping(host, "203.0.113.10"));
        assertTrue(box.ip(box.ns("web2"), "-br", "addr").contains("203.0.113.10/32"));
    }

    /**
     * Each new pair needs the peer name the other old pair holds: the kernel accepts the
     * plan only because both old pairs are deleted before either new one is made.
     */
    @Test
    void swappingHostNamesOfTwoInterfacesApplies() {
        String two = """
                version: 1
                host: {netns: "@NS@-host", create-netns: true}
                containers:
                  web:
                    netns: "@NS@-web"
                    create-netns: true
                    interfaces:
                      eth0: {host-name: "@NS@a", addresses: [203.0.113.10/32]}
                      eth1: {host-name: "@NS@b", gateway: false, addresses: [203.0.113.11/32]}
                """;
        assertEquals(0, apply(two).exit());
        String swapped = two.replace("@NS@a", "@NS@x").replace("@NS@b", "@NS@a").replace("@NS@x", "@NS@b");
        Sandbox.Run run = apply(swapped);
        assertEquals(0, run.exit(), run.toString());
        assertTrue(plan(swapped).out().contains("No changes."));
        // The swap is real: the address of eth1 is now routed through what was eth0's host-name.
        assertTrue(box.ip(host, "route", "show", "203.0.113.11").contains("dev " + box.prefix + "a"),
                box.ip(host, "route", "show", "203.0.113.11"));
        // eth0 holds the container's default route, so replies from it come back the way they went
        // (eth1 has none: its replies would leave by eth0 and fail the host's strict rp_filter).
        assertTrue(box.ping(host, "203.0.113.10"));
    }

    @Test
    void aNameHeldByALinkRvethDoesNotOwnIsAnErrorAndNothingChanges() {
        assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", host)).exit());
        box.ip(host, "link", "add", "rv-web", "type", "veth", "peer", "name", "someone-else");
        Sandbox.Run run = apply(MANIFEST);
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("host-name rv-web"), run.err());
        assertTrue(run.err().contains("Nothing was changed."), run.err());
        assertEquals(List.of(host), box.namespaces(), "no container netns was created");
        assertFalse(box.ip(host, "-br", "link").contains("rv-db"), "not even the veth that had no conflict");
    }

    @Test
    void aPrefixSomeoneElseRoutesIsAConflictNamedBeforeAnyChange() {
        assertEquals(0, apply(MANIFEST).exit());
        // Someone else's route already holds the prefix the manifest now wants for web.
        box.ip(host, "route", "add", "198.51.100.64/26", "dev", "lo");
        String more = MANIFEST.replace("[203.0.113.10/32, 2001:db8:10::10/128]",
                "[203.0.113.10/32, 203.0.113.12/32, 2001:db8:10::10/128]\n        routes: [198.51.100.64/26]");
        Sandbox.Run run = apply(more);
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("route.host[\"198.51.100.64/26\"]: 198.51.100.64/26 is already routed dev lo"), run.err());
        assertTrue(run.err().contains("Nothing was changed."), run.err());
        assertFalse(box.ip(web, "-br", "addr").contains("203.0.113.12"), "not even the unrelated new address");
        assertTrue(box.ip(host, "route", "show", "198.51.100.64/26").contains("dev lo"), "the other route is untouched");
    }

    @Test
    void routesThatWouldCutTheHostOffAreRefused() {
        assertEquals(0, apply(MANIFEST).exit());
        box.ip(host, "link", "add", "uplink", "type", "veth", "peer", "name", "uplink-peer");
        box.ip(host, "addr", "add", "198.51.100.129/25", "dev", "uplink");
        box.ip(host, "link", "set", "uplink", "up");
        String greedy = MANIFEST.replace("routes: [198.51.100.0/28]", "routes: [198.51.100.0/28, 198.51.100.128/25]");
        Sandbox.Run run = apply(greedy);
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("198.51.100.128/25 covers 198.51.100.129, an address of uplink on the host"), run.err());
        // Inside the uplink's subnet, but not covering the host's address: allowed (published via proxy ARP).
        String inside = MANIFEST.replace("routes: [198.51.100.0/28]", "routes: [198.51.100.0/28, 198.51.100.192/26]");
        assertEquals(0, apply(inside).exit());
    }

    @Test
    void aMissingNetnsIsNamedAndNothingIsCreated() {
        String noCreate = MANIFEST.replace("netns: \"@NS@-web\"\n    create-netns: true", "netns: \"@NS@-web\"");
        Sandbox.Run run = apply(noCreate);
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("netns " + web + " (a container's netns) does not exist"), run.err());
        assertEquals(List.of(), box.namespaces(), "nothing was created");
    }

    @Test
    void theDemoManifestApplies() throws Exception {
        String demo = Files.readString(Path.of(System.getProperty("rveth.project.dir", "."), "manifests", "demo.yaml"));
        Sandbox.Run run = apply(demo.replace("rveth-demo", box.prefix));
        assertEquals(0, run.exit(), run.toString());
        assertTrue(box.ping(box.prefix, "203.0.113.10"));
        assertEquals("No changes. Live state matches the manifest.\n", apply(demo.replace("rveth-demo", box.prefix)).out());
    }
}
