package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** rveth export on a real kernel: what it prints, planned against the host it came from, changes nothing. */
class ExportIT {
    static Stream<Path> examples() throws Exception {
        return ExamplesTestSupport.examples();
    }

    /** Exports the host side in {@code host} to a file of the sandbox, and checks that export itself was content. */
    private static Path export(Sandbox box, String host) {
        Sandbox.Run run = rveth("export", "--host-netns", host);
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("# Exported by \"rveth export\" from host netns " + host), run.out());
        return box.manifest("exported.yaml", run.out());
    }

    private static void assertNoChanges(Path manifest) throws Exception {
        Sandbox.Run plan = rveth("plan", "-f", manifest.toString(), "--detailed-exitcode");
        assertEquals(0, plan.exit(), plan + "\n--- exported\n" + Files.readString(manifest));
        assertTrue(plan.out().startsWith("No changes."), plan.toString());
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleExportsToAManifestThatPlansNoChanges(Path example) throws Exception {
        try (Sandbox box = new Sandbox()) {
            String yaml = Files.readString(example).replace("rveth-", box.prefix + "-");
            Path original = box.manifest(example.getFileName().toString(), yaml);
            Sandbox.Run applied = rveth("apply", "-f", original.toString());
            assertEquals(0, applied.exit(), applied.toString());
            Manifest.Host h = ManifestReader.read(original).host();
            String host = h.netns().name();

            // The route protocol is how rveth knows its routes: vps-host.yaml uses its own.
            Sandbox.Run run = rveth("export", "--host-netns", host, "--route-protocol", String.valueOf(h.routeProtocol()));
            assertEquals(0, run.exit(), run.toString());
            assertEquals("", run.err(), "nothing the manifest cannot say: " + run);
            Path exported = box.manifest("exported.yaml", run.out());
            assertNoChanges(exported);

            // The same containers and interfaces, by name, as the example.
            Manifest before = ManifestReader.read(original);
            Manifest after = ManifestReader.read(exported);
            assertEquals(interfaces(before), interfaces(after), run.out());
            // And a second export of the same host is the same text.
            assertEquals(run.out(), rveth("export", "--host-netns", host, "--route-protocol", String.valueOf(h.routeProtocol())).out());
        }
    }

    private static List<String> interfaces(Manifest m) {
        return m.containers().stream().flatMap(c -> c.interfaces().stream()
                .map(i -> c.name() + "/" + i.name() + " " + c.netns().name() + " " + i.hostName())).sorted().toList();
    }

    @Test
    void exportTakesTheHostFromAManifestAndWritesAFile() throws Exception {
        try (Sandbox box = new Sandbox()) {
            Path original = box.manifest("m.yaml", ApplyIT.MANIFEST);
            assertEquals(0, rveth("apply", "-f", original.toString()).exit());
            Path out = box.manifest("out.yaml", "");
            Sandbox.Run run = rveth("export", "-f", original.toString(), "--out", out.toString());
            assertEquals(0, run.exit(), run.toString());
            assertEquals("", run.out());
            assertTrue(run.err().contains("Exported 2 containers (2 interfaces) from host netns " + box.ns("host") + " to " + out), run.err());
            assertNoChanges(out);
        }
    }

    @Test
    void aHostWithNothingOfRvethsExportsNoContainers() throws Exception {
        try (Sandbox box = new Sandbox()) {
            String host = box.ns("host");
            assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", host)).exit());
            Path exported = export(box, host);
            assertTrue(Files.readString(exported).endsWith("containers: {}\n"), Files.readString(exported));
            assertNoChanges(exported);
        }
    }

    @Test
    void aMissingHostNetnsIsAUsageError() {
        try (Sandbox box = new Sandbox()) {
            Sandbox.Run run = rveth("export", "--host-netns", box.ns("nowhere"));
            assertEquals(64, run.exit(), run.toString());
            assertTrue(run.err().contains("netns " + box.ns("nowhere") + " does not exist"), run.err());
        }
    }

    /**
     * A setup made by hand with ip, as rveth would have made it but for the settings:
     * export reads it into a valid manifest, applying that changes only the settings, and
     * then nothing is left to do.
     */
    @Test
    void aHandBuiltSetupExportsToAValidManifest() throws Exception {
        try (Sandbox box = new Sandbox()) {
            String host = box.ns("host");
            String app = box.ns("app");
            for (String ns : List.of(host, app)) assertEquals(0, Sandbox.run(List.of("ip", "netns", "add", ns)).exit());
            box.ip(app, "link", "set", "lo", "up");
            box.ip(host, "link", "add", "veth-app", "mtu", "1400", "type", "veth", "peer", "name", "eth0", "mtu", "1400", "netns", app);
            box.ip(host, "link", "set", "veth-app", "alias", "rveth:app/eth0", "up");
            box.ip(app, "link", "set", "eth0", "up");
            box.ip(host, "addr", "add", "169.254.0.1/32", "dev", "veth-app");
            box.ip(host, "addr", "add", "fe80::1/128", "dev", "veth-app", "nodad");
            box.ip(app, "addr", "add", "203.0.113.30/32", "dev", "eth0");
            box.ip(app, "addr", "add", "10.30.0.1/24", "dev", "eth0");
            box.ip(app, "addr", "add", "2001:db8:30::1/64", "dev", "eth0", "nodad");
            box.ip(host, "route", "add", "203.0.113.30/32", "dev", "veth-app", "proto", "147");
            box.ip(host, "route", "add", "10.30.0.0/16", "dev", "veth-app", "proto", "147");
            box.ip(host, "route", "add", "2001:db8:30::/64", "dev", "veth-app", "proto", "147");
            box.ip(host, "route", "add", "198.51.100.64/26", "via", "203.0.113.30", "onlink", "dev", "veth-app", "proto", "147");
            // Not rveth's: another protocol's route on its link, and a veth without its alias.
            box.ip(host, "route", "add", "198.51.100.0/28", "dev", "veth-app", "proto", "static");
            box.ip(host, "link", "add", "other0", "type", "veth", "peer", "name", "other1");
            box.ip(app, "route", "add", "169.254.0.1", "dev", "eth0", "scope", "link", "proto", "147");
            box.ip(app, "route", "add", "default", "via", "169.254.0.1", "dev", "eth0", "proto", "147");
            box.ip(app, "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0", "proto", "147");

            Sandbox.Run run = rveth("export", "--host-netns", host);
            assertEquals(0, run.exit(), run.toString());
            String yaml = run.out();
            assertTrue(yaml.contains("""
                    containers:
                      app:
                        netns: %s
                        interfaces:
                          eth0:
                            host-name: veth-app
                            mtu: 1400
                            addresses:
                              - address: 10.30.0.1/24
                                route: false
                              - 203.0.113.30/32
                              - 2001:db8:30::1/64
                            routes:
                              - 10.30.0.0/16
                              - to: 198.51.100.64/26
                                via: 203.0.113.30
                    """.formatted(app)), yaml);
            assertFalse(yaml.contains("other") || yaml.contains("198.51.100.0/28"), yaml);
            Path exported = box.manifest("exported.yaml", yaml);
            Sandbox.Run valid = rveth("validate", "-f", exported.toString());
            assertEquals(0, valid.exit(), valid.toString());

            // Only what rveth keeps on its links was missing: forwarding, rp_filter and the IPv6 anti-spoofing rules.
            assertTrue(run.err().startsWith("Warning: applying the exported manifest would still change this host"), run.err());
            assertTrue(run.err().lines().skip(1).allMatch(l -> l.matches("  [~+] (sysctl|rule)\\.host\\[.*")), run.err());
            Sandbox.Run applied = rveth("apply", "-f", exported.toString());
            assertEquals(0, applied.exit(), applied.toString());
            assertNoChanges(exported);
            assertTrue(box.ping(host, "203.0.113.30"), "host -> app");
            assertTrue(box.ping(host, "2001:db8:30::1"), "host -> app v6");
        }
    }
}
