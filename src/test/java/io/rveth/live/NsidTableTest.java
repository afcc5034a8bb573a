package io.rveth.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.model.Netns;
import io.rveth.model.State;
import io.rveth.model.Veth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The kernel answers "netns list-id" with its first netlink message only: on a host with
 * more than about a thousand container namespaces the table is cut short (bench/nsid-probe
 * shows 134 of 1,300 ids). Peers must then be found by their ifindex pair.
 */
class NsidTableTest {
    static final Netns HOST = new Netns("rvfix-host");
    static final Netns WEB = new Netns("rvfix-web");
    static final Netns DB = new Netns("rvfix-db");

    static String fixture(String role) {
        try {
            return Files.readString(Path.of(System.getProperty("rveth.project.dir", "."), "src/test/resources/ip/converged", role + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static State parse(String hostText) {
        return new LiveParser(HOST, 147).parse(Set.of(HOST, WEB, DB), NamespaceDump.parse(HOST, hostText, true),
                List.of(NamespaceDump.parse(WEB, fixture("web"), false), NamespaceDump.parse(DB, fixture("db"), false)));
    }

    @Test
    void peersAreFoundByTheirIfindexPairWhenTheNsidTableIsCutShort() {
        State full = parse(fixture("host"));
        // The same read, but the kernel's table stopped before db's entry.
        State cut = parse(fixture("host").replace(",{\"nsid\":1,\"name\":\"rvfix-db\"}", ""));
        assertTrue(!fixture("host").equals(fixture("host").replace(",{\"nsid\":1,\"name\":\"rvfix-db\"}", "")), "the fixture has db's entry");
        assertEquals(full.veths(), cut.veths());
        assertEquals(full.addresses(), cut.addresses());
        assertEquals(full.routes(), cut.routes());
        assertTrue(cut.veths().stream().map(Veth::peer).anyMatch(p -> p.netns().equals(DB) && p.name().equals("eth0")));
    }

    @Test
    void withNoTableAtAllEveryPeerIsStillFound() {
        String host = fixture("host").replaceAll("\\[\\{\"nsid\":0,\"name\":\"rvfix-web\"\\},\\{\"nsid\":1,\"name\":\"rvfix-db\"\\}\\]", "[]");
        assertTrue(!host.equals(fixture("host")), "the nsid table was removed from the read");
        assertEquals(parse(fixture("host")).veths(), parse(host).veths());
    }
}
