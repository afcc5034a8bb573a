package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real failure in the middle of an apply: just before rveth's host batch runs, "someone
 * else" takes a prefix the plan is about to route (a wrapper around ip does it, once), so
 * the kernel refuses that line. rveth must undo what this run did and prove it.
 */
class RollbackIT {
    static final String BEFORE = """
            version: 1
            host: {netns: "@NS@-host", create-netns: true}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0: {mtu: 1500, addresses: [203.0.113.10/32]}
            """;
    /** web gets a new address and mtu, db is new (with a new netns), and 203.0.113.99 will be taken. */
    static final String AFTER = """
            version: 1
            host: {netns: "@NS@-host", create-netns: true}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0: {mtu: 1400, addresses: [203.0.113.10/32, 203.0.113.11/32]}
              db:
                netns: "@NS@-db"
                create-netns: true
                interfaces:
                  eth0: {addresses: [203.0.113.20/32, 203.0.113.99/32]}
            """;

    Sandbox box;
    Path wrapper;

    @BeforeEach
    void setUp() throws Exception {
        box = new Sandbox();
        wrapper = Files.createTempFile("rveth-ip-", ".sh");
        Path mark = Files.createTempFile("rveth-ip-", ".mark");
        Files.delete(mark);
        Files.writeString(wrapper, """
                #!/bin/bash
                # Test double: the first time rveth applies its host batch (reads use -N -j),
                # another actor grabs a prefix. rveth enters the host netns with nsenter, so
                # the wrapper asks which netns it runs in.
                if [[ "$*" == "-batch -" && ! -e MARK && "$(ip netns identify)" == "HOST" ]]; then
                  touch MARK
                  ip -n HOST route add 203.0.113.99/32 dev lo
                fi
                exec ip "$@"
                """.replace("HOST", box.ns("host")).replace("MARK", mark.toString()));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void tearDown() throws Exception {
        System.clearProperty("rveth.ip");
        if (box != null) box.close();
        if (wrapper != null) Files.deleteIfExists(wrapper);
    }

    @Test
    void aFailureMidwayIsUndoneAndThePreviousStateVerified() {
        assertEquals(0, rveth("apply", "-f", box.manifest("m.yaml", BEFORE).toString()).exit());
        String routesBefore = box.ip(box.ns("host"), "route", "show", "proto", "147");
        String webBefore = box.ip(box.ns("web"), "-br", "addr", "show", "eth0");

        System.setProperty("rveth.ip", wrapper.toString());
        Sandbox.Run run = rveth("apply", "-f", box.manifest("m.yaml", AFTER).toString());
        System.clearProperty("rveth.ip");

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("File exists"), run.err());
        assertTrue(run.err().contains("Rollback: rolled back"), run.err());
        assertTrue(run.err().contains("the previous state is back (verified)"), run.err());
        // As before: web's routes, address and mtu; no db veth, and db's new netns is gone.
        // Just after an apply a route may still say linkdown (the peer's carrier is coming up): not a difference.
        assertEquals(routesBefore.replace(" linkdown", ""), box.ip(box.ns("host"), "route", "show", "proto", "147").replace(" linkdown", ""));
        assertEquals(webBefore, box.ip(box.ns("web"), "-br", "addr", "show", "eth0"));
        assertTrue(box.ip(box.ns("host"), "link", "show", "rv-web").contains("mtu 1500"));
        assertFalse(box.ip(box.ns("host"), "-br", "link").contains("rv-db"));
        assertEquals(List.of(box.ns("host"), box.ns("web")), box.namespaces().stream().sorted().toList());
        // The other actor's route is theirs: untouched.
        assertTrue(box.ip(box.ns("host"), "route", "show", "203.0.113.99/32").contains("dev lo"));
        assertTrue(box.ping(box.ns("host"), "203.0.113.10"), "web still answers");
    }

    /**
     * The container stops mid-apply: its netns is deleted (by "the runtime", a wrapper
     * around ip) after rveth planned, just before its host batch, whose route through the
     * container's veth then fails. What this run did is undone; the vanished netns is not
     * made anew, and the report says so.
     */
    @Test
    void aNetnsThatVanishesMidwayFailsTheApplyAndTheRestIsRolledBack() throws Exception {
        // web's netns is made by the container runtime, not by rveth.
        assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", box.ns("web"))).exit());
        String before = """
                version: 1
                host: {netns: "@NS@-host", create-netns: true}
                containers:
                  web:
                    netns: "@NS@-web"
                    interfaces:
                      eth0: {addresses: [203.0.113.10/32]}
                """;
        assertEquals(0, rveth("apply", "-f", box.manifest("m.yaml", before).toString()).exit());
        String routesBefore = box.ip(box.ns("host"), "route", "show", "proto", "147");
        String after = before.replace("[203.0.113.10/32]", "[203.0.113.10/32, 203.0.113.11/32]")
                + """
                  db:
                    netns: "@NS@-db"
                    create-netns: true
                    interfaces:
                      eth0: {addresses: [203.0.113.20/32]}
                """;
        Path mark = Files.createTempFile("rveth-ip-", ".mark");
        Files.delete(mark);
        Files.writeString(wrapper, """
                #!/bin/bash
                # Test double: just before rveth's host batch runs (reads use -N -j; rveth enters
                # the netns with nsenter, so the wrapper asks where it runs), the runtime deletes
                # web's netns, and web's veth goes with it.
                if [[ "$*" == "-batch -" && ! -e MARK && "$(ip netns identify)" == "HOST" ]]; then
                  touch MARK
                  ip netns del WEB
                fi
                exec ip "$@"
                """.replace("WEB", box.ns("web")).replace("HOST", box.ns("host")).replace("MARK", mark.toString()));

        System.setProperty("rveth.ip", wrapper.toString());
        Sandbox.Run run = rveth("apply", "-f", box.manifest("m.yaml", after).toString());
        System.clearProperty("rveth.ip");
        Files.deleteIfExists(mark);

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("netns " + box.ns("web") + " vanished during the apply"), run.err());
        assertTrue(run.err().contains("the previous state is back (verified)"), run.err());
        // db's veth and netns (new in this run) are gone; web's netns is not made anew, and
        // no route of this run is left behind; what web's veth took with it is all that differs.
        assertEquals(List.of(box.ns("host")), box.namespaces());
        assertFalse(box.ip(box.ns("host"), "-br", "link").contains("rv-db"));
        assertEquals("", box.ip(box.ns("host"), "route", "show", "proto", "147").strip(), "before: " + routesBefore);
    }
}
