package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A container that sends from an address not routed to it is dropped at the host: strict
 * rp_filter on its host end. Proven with packets: the target's ICMP echo counter (nstat,
 * per netns) moves for an honest ping and stays put for a spoofed one.
 */
class AntiSpoofIT {
    static final String MANIFEST = """
            version: 1
            host: {netns: "@NS@-host", create-netns: true}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0: {addresses: [203.0.113.10/32, 2001:db8:10::10/128]}
              db:
                netns: "@NS@-db"
                create-netns: true
                interfaces:
                  eth0: {addresses: [203.0.113.20/32, 2001:db8:20::20/128]}
              mx:
                netns: "@NS@-mx"
                create-netns: true
                interfaces:
                  eth0: {addresses: [203.0.113.30/32, 2001:db8:30::30/128]}
            """;

    Sandbox box;

    @BeforeEach
    void sandbox() {
        box = new Sandbox();
        assertEquals(0, rveth("apply", "-f", box.manifest("m.yaml", MANIFEST).toString()).exit());
    }

    @AfterEach
    void cleanup() {
        if (box != null) box.close();
    }

    /** Echo requests the netns has received so far (nstat -a: absolute, -z: show zeros). */
    long echosReceived(String netns) {
        return counter(netns, "IcmpInEchos");
    }

    long counter(String netns, String name) {
        String out = Sandbox.run(List.of("ip", "netns", "exec", netns, "nstat", "-az", name)).out();
        return out.lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> Long.parseLong(l.split("\\s+")[1]))
                .findFirst().orElseThrow(() -> new AssertionError("nstat printed no " + name + ": " + out));
    }

    void ping(String from, String source, String to) {
        Sandbox.run(List.of("ip", "netns", "exec", from, "ping", "-c", "3", "-i", "0.2", "-W", "1", "-I", source, to));
    }

    @Test
    void spoofedSourcesNeverArrive() {
        String web = box.ns("web");
        String mx = box.ns("mx");
        long before = echosReceived(mx);
        ping(web, "203.0.113.10", "203.0.113.30"); // honest: web's own address
        long honest = echosReceived(mx);
        assertEquals(before + 3, honest, "the honest pings arrive");

        // web claims db's address (routed to db's veth, not web's) and sends from it.
        box.ip(web, "addr", "add", "203.0.113.20/32", "dev", "eth0");
        ping(web, "203.0.113.20", "203.0.113.30");
        assertEquals(honest, echosReceived(mx), "no spoofed echo request reached mx");

        // An address routed to nobody fares no better.
        box.ip(web, "addr", "add", "198.51.100.77/32", "dev", "eth0");
        ping(web, "198.51.100.77", "203.0.113.30");
        assertEquals(honest, echosReceived(mx), "no echo from an unrouted source reached mx");
        assertTrue(box.ip(box.ns("host"), "netconf", "show", "dev", "rv-web").contains("rp_filter strict"));

        // Control: with rp_filter off on web's host end, the same spoofed pings do arrive
        // (so the counter would have shown them), and the next apply puts the filter back.
        Sandbox.run(List.of("ip", "netns", "exec", box.ns("host"), "sysctl", "-q", "-w", "net.ipv4.conf.rv-web.rp_filter=0"));
        ping(web, "203.0.113.20", "203.0.113.30");
        assertEquals(honest + 3, echosReceived(mx), "without the filter, spoofed packets get through");
        Sandbox.Run repair = rveth("apply", "-f", box.manifest("m.yaml", MANIFEST).toString());
        assertTrue(repair.out().contains("~ sysctl.host[\"net.ipv4.conf.rv-web.rp_filter\"]"), repair.out());
        long after = echosReceived(mx);
        ping(web, "203.0.113.20", "203.0.113.30");
        assertEquals(after, echosReceived(mx), "filtered again");
    }

    /** IPv6 has no rp_filter: rveth's policy rules on the host do the same job. */
    @Test
    void spoofedIpv6SourcesNeverArrive() {
        String web = box.ns("web");
        String mx = box.ns("mx");
        long before = counter(mx, "Icmp6InEchos");
        ping(web, "2001:db8:10::10", "2001:db8:30::30");
        long honest = counter(mx, "Icmp6InEchos");
        assertEquals(before + 3, honest, "the honest pings arrive");

        box.ip(web, "addr", "add", "2001:db8:20::20/128", "dev", "eth0", "nodad"); // db's address
        ping(web, "2001:db8:20::20", "2001:db8:30::30");
        assertEquals(honest, counter(mx, "Icmp6InEchos"), "no spoofed IPv6 echo request reached mx");

        // Control: without rveth's rules the same packets get through; apply puts them back.
        box.ip(box.ns("host"), "-6", "rule", "del", "pref", "1001", "iif", "rv-web");
        ping(web, "2001:db8:20::20", "2001:db8:30::30");
        assertEquals(honest + 3, counter(mx, "Icmp6InEchos"), "without the drop rule, spoofed packets get through");
        Sandbox.Run repair = rveth("apply", "-f", box.manifest("m.yaml", MANIFEST).toString());
        assertTrue(repair.out().contains("+ rule.host[\"rv-web\", \"drop\"]"), repair.out());
        long after = counter(mx, "Icmp6InEchos");
        ping(web, "2001:db8:20::20", "2001:db8:30::30");
        assertEquals(after, counter(mx, "Icmp6InEchos"), "dropped again");
    }
}
