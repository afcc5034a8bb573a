package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.plan.PlanSchema;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * host.uplink on the real kernel: a "LAN neighbour" netns on the uplink's subnet reaches a
 * container through the host, because the host answers ARP and NDP for the container's
 * addresses on the uplink (proxy entries), and stops when the container is gone.
 */
class UplinkIT {
    static final String MANIFEST = """
            version: 1
            host: {netns: "@NS@-host", uplink: up0}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [198.51.100.10/32, 2001:db8:51::10/128, 10.9.9.9/32]
            """;

    Sandbox box;
    String host;
    String lan;

    /** The host netns with its uplink up0 on 198.51.100.0/24 and 2001:db8:51::/64, and the LAN behind it. */
    @BeforeEach
    void lan() {
        box = new Sandbox();
        host = box.ns("host");
        lan = box.ns("lan");
        for (String ns : List.of(host, lan)) {
            assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", ns)).exit());
            box.ip(ns, "link", "set", "lo", "up");
        }
        box.ip(host, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", lan);
        box.ip(host, "address", "add", "198.51.100.1/24", "dev", "up0");
        box.ip(host, "address", "add", "2001:db8:51::1/64", "dev", "up0", "nodad");
        box.ip(host, "link", "set", "up0", "up");
        box.ip(lan, "address", "add", "198.51.100.50/24", "dev", "eth0");
        box.ip(lan, "address", "add", "2001:db8:51::50/64", "dev", "eth0", "nodad");
        box.ip(lan, "link", "set", "eth0", "up");
        // The kernel holds a proxied answer back by up to proxy_delay (0.8 s by default, see the
        // README); on a loaded machine that can eat ping's whole wait. Answer at once instead.
        for (String family : List.of("ipv4", "ipv6")) {
            assertEquals(0, Sandbox.run(List.of("ip", "netns", "exec", host, "sysctl", "-q", "-w",
                    "net/" + family + "/neigh/up0/proxy_delay=0")).exit());
        }
    }

    @AfterEach
    void cleanup() {
        if (box != null) box.close();
    }

    Sandbox.Run run(String command, String yaml, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(command, "-f", box.manifest("m.yaml", yaml).toString()));
        args.addAll(List.of(more));
        return rveth(args.toArray(String[]::new));
    }

    @Test
    void theLanReachesTheContainerThroughProxyEntriesUntilItIsRemoved() {
        // The control: routed, but not published on the LAN. Nobody answers the LAN's ARP.
        String unpublished = MANIFEST.replace(", uplink: up0", "");
        assertEquals(0, run("apply", unpublished).exit());
        assertTrue(box.ping(host, "198.51.100.10"), "the host reaches web");
        assertFalse(box.ping(lan, "198.51.100.10"), "the LAN does not, without proxy ARP");

        PlanSchema.assertValid(PlanSchema.parseSingleDocument(run("plan", MANIFEST, "-o", "json").out()), "plan -o json with proxy entries");
        Sandbox.Run plan = run("plan", MANIFEST);
        assertTrue(plan.out().contains("+ proxy.host.up0[\"198.51.100.10\"]"), plan.out());
        assertTrue(plan.out().contains("+ proxy.host.up0[\"2001:db8:51::10\"]"), plan.out());
        assertTrue(plan.out().contains("sysctl.host[\"net.ipv6.conf.up0.proxy_ndp\"]"), plan.out());
        assertFalse(plan.out().contains("10.9.9.9\"]  answer"), "10.9.9.9 is on no subnet of up0: " + plan.out());
        Sandbox.Run apply = run("apply", MANIFEST);
        assertEquals(0, apply.exit(), apply.toString());
        assertTrue(run("plan", MANIFEST).out().contains("No changes."));
        box.ip(lan, "neigh", "flush", "dev", "eth0");  // forget the control's failed ARP
        Sandbox.Run export = rveth("export", "--host-netns", host);
        assertEquals(0, export.exit(), export.toString());
        assertTrue(export.out().contains("uplink: up0"), export.out());
        assertFalse(export.err().contains("Warning"), "the export plans no change here:\n" + export.err());

        assertTrue(box.ping(lan, "198.51.100.10"), "LAN -> web over proxy ARP");
        assertTrue(box.ping(lan, "2001:db8:51::10"), "LAN -> web over proxy NDP");
        String entries = box.ip(host, "neigh", "show", "proxy");
        assertTrue(entries.contains("198.51.100.10 dev up0") && entries.contains("2001:db8:51::10 dev up0"), entries);

        // The container leaves: its entries are pruned, and the LAN gets no answer any more.
        String gone = MANIFEST.substring(0, MANIFEST.indexOf("containers:")) + "containers: {}\n";
        Sandbox.Run remove = run("apply", gone);
        assertEquals(0, remove.exit(), remove.toString());
        assertEquals("", box.ip(host, "neigh", "show", "proxy").strip());
        box.ip(lan, "neigh", "flush", "dev", "eth0");
        assertFalse(box.ping(lan, "198.51.100.10"));
    }

    @Test
    void anUplinkThatDoesNotExistIsNamedAndNothingChanges() {
        Sandbox.Run run = run("apply", MANIFEST.replace("uplink: up0", "uplink: up9"));
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("host.uplink up9 does not exist in netns " + host), run.err());
        assertEquals(List.of(host, lan), box.namespaces().stream().sorted().toList(), "web's netns was not created");
    }

    @Test
    void someoneElsesEntryIsAConflictUntilAdopted() {
        box.ip(host, "neigh", "add", "proxy", "198.51.100.10", "dev", "up0");
        Sandbox.Run run = run("apply", MANIFEST);
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("up0 already has a proxy entry for 198.51.100.10 that rveth does not own"), run.err());
        // Reviewed and applied as a saved plan: it adopts what it was made to adopt.
        String saved = box.manifest("plan.json", "").toString();
        assertEquals(0, run("plan", MANIFEST, "--adopt", "--out", saved).exit());
        Sandbox.Run adopt = rveth("apply", saved);
        assertEquals(0, adopt.exit(), adopt.toString());
        String entry = box.ip(host, "-N", "neigh", "show", "proxy", "198.51.100.10");
        assertTrue(entry.contains("proto 147"), entry);
        assertTrue(box.ping(lan, "198.51.100.10"));
    }

    /** Which entries a plan makes depends on the uplink's subnets: a saved plan is stale when they change. */
    @Test
    void aSavedPlanIsStaleWhenTheUplinksSubnetsChange() {
        String saved = box.manifest("plan.json", "").toString();
        assertEquals(0, run("plan", MANIFEST, "--out", saved).exit());
        box.ip(host, "address", "del", "198.51.100.1/24", "dev", "up0");
        Sandbox.Run apply = rveth("apply", saved);
        assertEquals(1, apply.exit(), apply.toString());
        assertTrue(apply.err().contains("Saved plan is stale"), apply.err());
        assertEquals(List.of(host, lan), box.namespaces().stream().sorted().toList(), "nothing was changed");
    }
}
