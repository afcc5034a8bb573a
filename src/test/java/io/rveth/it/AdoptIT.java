package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Migration: a routed veth built by hand the way osctld or LXD build it (proto boot
 * routes, no rveth alias) is taken over with --adopt, and then rveth owns it.
 */
class AdoptIT {
    static final String MANIFEST = """
            version: 1
            host: {netns: "@NS@-host"}
            containers:
              web:
                netns: "@NS@-web"
                interfaces:
                  eth0:
                    host-name: veth100
                    addresses: [203.0.113.10/32, 2001:db8:10::10/128]
            """;

    Sandbox box;
    String host;
    String web;

    @BeforeEach
    void handMade() {
        box = new Sandbox();
        host = box.ns("host");
        web = box.ns("web");
        for (String ns : List.of(host, web)) assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", ns)).exit());
        box.ip(host, "link", "add", "veth100", "type", "veth", "peer", "name", "eth0", "netns", web);
        box.ip(host, "link", "set", "veth100", "up");
        box.ip(web, "link", "set", "eth0", "up");
        box.ip(web, "link", "set", "lo", "up");
        box.ip(host, "addr", "add", "169.254.0.1/32", "dev", "veth100");
        box.ip(host, "addr", "add", "fe80::1/128", "dev", "veth100", "nodad");
        box.ip(host, "route", "add", "203.0.113.10/32", "dev", "veth100");
        box.ip(host, "route", "add", "2001:db8:10::10/128", "dev", "veth100");
        box.ip(web, "addr", "add", "203.0.113.10/32", "dev", "eth0");
        box.ip(web, "addr", "add", "2001:db8:10::10/128", "dev", "eth0", "nodad");
        box.ip(web, "route", "add", "169.254.0.1/32", "dev", "eth0", "scope", "link");
        box.ip(web, "route", "add", "default", "via", "169.254.0.1", "dev", "eth0");
        box.ip(web, "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    }

    @AfterEach
    void cleanup() {
        if (box != null) box.close();
    }

    @Test
    void withoutAdoptEveryClashIsNamedAndNothingChanges() {
        Sandbox.Run run = rveth("apply", "-f", box.manifest("m.yaml", MANIFEST).toString());
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("host-name veth100"), run.err());
        assertTrue(run.err().contains("use --adopt"), run.err());
        assertTrue(run.err().contains("Nothing was changed."), run.err());
        assertTrue(!box.ip(host, "-d", "link", "show", "veth100").contains("alias"), "not marked");
    }

    @Test
    void adoptTakesItOverAndTheNextPlanIsEmpty() {
        String file = box.manifest("m.yaml", MANIFEST).toString();
        Sandbox.Run adopt = rveth("apply", "--adopt", "-f", file);
        assertEquals(0, adopt.exit(), adopt.toString());
        assertTrue(adopt.out().contains("adopt: take over"), adopt.out());
        assertTrue(box.ip(host, "-d", "link", "show", "veth100").contains("alias rveth:web/eth0"));
        assertTrue(box.ip(host, "route", "show", "203.0.113.10/32").contains("proto 147"));
        assertTrue(box.ip(web, "route", "show", "default").contains("proto 147"));

        Sandbox.Run plan = rveth("plan", "-f", file, "--detailed-exitcode");
        assertEquals(0, plan.exit(), plan.toString());
        assertEquals("No changes. Live state matches the manifest.\n", plan.out());
        assertTrue(box.ping(host, "203.0.113.10"));
        assertTrue(box.ping(host, "2001:db8:10::10"));
    }
}
