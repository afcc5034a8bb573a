package io.rveth.bird;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import inet.ipaddr.IPAddressString;
import io.rveth.Main;
import io.rveth.cli.ExitCodes;
import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BIRD snippet: exactly the manifest's host prefixes, deterministic, and accepted by
 * BIRD's own parser ({@code bird -p}). Without BIRD installed the parser checks are skipped
 * on a developer's machine and fail under {@code CI=true}, which installs bird2.
 */
class BirdConfigTest {
    static final Path PROJECT = Path.of(System.getProperty("rveth.project.dir", "."));
    static final Path VPS = PROJECT.resolve("manifests/vps-host.yaml");

    static final String WEB_DB = """
            version: 1
            host: {netns: h, route-protocol: 199}
            containers:
              web:
                interfaces:
                  eth0:
                    addresses: [203.0.113.10/32, 10.5.5.1/24, 2001:db8:10::10/128]
                    routes: [{to: 198.51.100.64/26, via: 203.0.113.10}]
              db:
                interfaces:
                  eth0: {addresses: [203.0.113.20/32, {address: 10.6.0.1/24, route: false}], routes: [10.6.0.0/16]}
            """;

    /** The same containers, listed the other way round. */
    static final String DB_WEB = """
            version: 1
            host: {netns: h, route-protocol: 199}
            containers:
              db:
                interfaces:
                  eth0: {addresses: [203.0.113.20/32, {address: 10.6.0.1/24, route: false}], routes: [10.6.0.0/16]}
              web:
                interfaces:
                  eth0:
                    addresses: [203.0.113.10/32, 10.5.5.1/24, 2001:db8:10::10/128]
                    routes: [{to: 198.51.100.64/26, via: 203.0.113.10}]
            """;

    static String snippet(String yaml, BirdConfig.Options options) throws Exception {
        return BirdConfig.of(ManifestReader.parse("m.yaml", yaml), options);
    }

    /** The members of one {@code define NAME = [ ... ];}. */
    static List<String> set(String text, String name) {
        Matcher m = Pattern.compile("define " + name + " = \\[([^]]*)]").matcher(text);
        assertTrue(m.find(), name + " in\n" + text);
        List<String> out = new ArrayList<>();
        for (String s : m.group(1).split("[,\\s]+")) if (!s.isBlank()) out.add(s);
        return out;
    }

    @Test
    void theSetsHoldExactlyTheHostRoutesInOrder() throws Exception {
        String text = snippet(WEB_DB, BirdConfig.Options.defaults());
        assertEquals(List.of("10.5.5.0/24", "10.6.0.0/16", "198.51.100.64/26", "203.0.113.10/32", "203.0.113.20/32"),
                set(text, "RVETH_PREFIXES4"));
        assertEquals(List.of("2001:db8:10::10/128"), set(text, "RVETH_PREFIXES6"));
        assertTrue(text.contains("define RVETH_ROUTE_PROTOCOL = 199;"), text);
        // Assigned-only 10.6.0.1/24 is covered by the declared /16: not a prefix of its own.
        assertFalse(text.contains("10.6.0.0/24"), text);
        assertTrue(text.contains("template bgp rveth_export {"), text);
        assertTrue(text.contains("protocol kernel rveth_kernel4 {") && text.contains("protocol kernel rveth_kernel6 {"), text);
        assertFalse(text.contains("protocol bgp rveth_uplink"), text);
    }

    @Test
    void theVpsExampleGivesEveryRoutedPrefix() throws Exception {
        Manifest m = ManifestReader.read(VPS);
        String text = BirdConfig.of(m, BirdConfig.Options.defaults());
        List<String> expected = new ArrayList<>();
        for (Manifest.Container c : m.containers()) {
            for (Manifest.Interface i : c.interfaces()) {
                for (Manifest.RoutedPrefix r : i.routedPrefixes()) expected.add(r.to().toString());
            }
        }
        List<String> got = new ArrayList<>(set(text, "RVETH_PREFIXES4"));
        got.addAll(set(text, "RVETH_PREFIXES6"));
        assertEquals(expected.stream().sorted().toList(), got.stream().sorted().toList());
        assertTrue(text.contains("define RVETH_ROUTE_PROTOCOL = 201;"), text);
    }

    @Test
    void theOrderOfTheManifestDoesNotMatter() throws Exception {
        BirdConfig.Options o = BirdConfig.Options.defaults();
        assertEquals(snippet(WEB_DB, o), snippet(DB_WEB, o));
        assertEquals(snippet(WEB_DB, o), snippet(WEB_DB, o));
    }

    @Test
    void noKernelLeavesOutTheProtocolsAndTables() throws Exception {
        String text = snippet(WEB_DB, new BirdConfig.Options(false, 10, OptionalLong.of(64512),
                Optional.of(new IPAddressString("198.51.100.1").getAddress()), OptionalLong.of(64496)));
        assertFalse(text.contains("protocol kernel rveth_kernel"), text);
        assertFalse(text.contains("table rveth4"), text);
        assertTrue(text.contains("  local as 64512;\n"), text);
        assertTrue(text.contains("protocol bgp rveth_uplink from rveth_export {\n  neighbor 198.51.100.1 as 64496;\n}\n"), text);
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new BirdConfig.Options(true, 0, OptionalLong.empty(),
                Optional.empty(), OptionalLong.empty()));
        assertThrows(IllegalArgumentException.class, () -> new BirdConfig.Options(true, 10, OptionalLong.empty(),
                Optional.of(new IPAddressString("198.51.100.1").getAddress()), OptionalLong.of(1)));
        assertThrows(IllegalArgumentException.class, () -> new BirdConfig.Options(true, 10, OptionalLong.of(4294967296L),
                Optional.empty(), OptionalLong.empty()));
    }

    // --- BIRD's own parser

    record Run(int exit, String out) {
    }

    static Run run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        return new Run(p.exitValue(), out);
    }

    static void requireBird() throws Exception {
        boolean bird;
        try {
            bird = run(List.of("bird", "--version")).exit() == 0;
        } catch (IOException e) {
            bird = false;
        }
        if (!bird && "true".equals(System.getenv("CI"))) fail("bird (Debian: bird2) is needed under CI=true");
        assumeTrue(bird, "bird (Debian: bird2) is not installed");
    }

    /** {@code bird -p}: parse the configuration and exit. */
    static void assertBirdParses(Path conf) throws Exception {
        Run r = run(List.of("bird", "-p", "-c", conf.toString()));
        assertEquals(0, r.exit(), "bird -p " + conf + ":\n" + r.out() + "\n--- config\n" + Files.readString(conf));
    }

    @Test
    void birdParsesTheSnippetAlone(@TempDir Path dir) throws Exception {
        requireBird();
        Path conf = dir.resolve("rveth.conf");
        Files.writeString(conf, BirdConfig.of(ManifestReader.read(VPS), BirdConfig.Options.defaults()));
        assertBirdParses(conf);
    }

    @Test
    void birdParsesItIncludedWithASession(@TempDir Path dir) throws Exception {
        requireBird();
        String[] manifests = {WEB_DB, "version: 1\ncontainers: {}\n",
                "version: 1\ncontainers:\n  v6:\n    interfaces:\n      eth0: {addresses: [2001:db8:6::6/128]}\n"};
        for (String yaml : manifests) {
            for (boolean kernel : new boolean[] {true, false}) {
                Path snippet = dir.resolve("rveth.conf");
                Files.writeString(snippet, snippet(yaml, new BirdConfig.Options(kernel, 3, OptionalLong.of(64512),
                        Optional.empty(), OptionalLong.empty())));
                Path conf = dir.resolve("bird.conf");
                Files.writeString(conf, """
                        router id 198.51.100.1;
                        protocol device {}
                        include "%s";
                        protocol bgp uplink from rveth_export { neighbor 198.51.100.2 as 64496; }
                        """.formatted(snippet));
                assertBirdParses(conf);
            }
        }
    }

    // --- the command

    static Run rveth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out + "\n--- stderr\n" + err);
    }

    @Test
    void theCommandPrintsOrWritesTheSnippet(@TempDir Path dir) throws Exception {
        Run printed = rveth("bird-config", "-f", VPS.toString());
        assertEquals(ExitCodes.OK, printed.exit(), printed.out());
        String expected = BirdConfig.of(ManifestReader.read(VPS), BirdConfig.Options.defaults());
        assertEquals(expected + "\n--- stderr\n", printed.out());

        Path file = dir.resolve("rveth.conf");
        Run written = rveth("bird-config", "-f", VPS.toString(), "--out", file.toString());
        assertEquals(ExitCodes.OK, written.exit(), written.out());
        assertEquals(expected, Files.readString(file));
    }

    @Test
    void badUsageAndBadManifestsHaveTheirExitCodes(@TempDir Path dir) throws Exception {
        assertEquals(ExitCodes.USAGE, rveth("bird-config").exit());
        assertEquals(ExitCodes.USAGE, rveth("bird-config", "-f", VPS.toString(), "--neighbor", "198.51.100.1").exit());
        assertEquals(ExitCodes.USAGE, rveth("bird-config", "-f", VPS.toString(), "--neighbor", "198.51.100.1",
                "--neighbor-as", "64496").exit(), "a neighbor without --local-as");
        assertEquals(ExitCodes.USAGE, rveth("bird-config", "-f", VPS.toString(), "--local-as", "1",
                "--neighbor", "not-an-address", "--neighbor-as", "2").exit());
        for (String neighbor : List.of("0.0.0.0", "224.0.0.1", "::ffff:198.51.100.1", "127.0.0.1")) {
            Run r = rveth("bird-config", "-f", VPS.toString(), "--local-as", "1", "--neighbor", neighbor, "--neighbor-as", "2");
            assertEquals(ExitCodes.USAGE, r.exit(), neighbor + " as a neighbor");
            assertTrue(r.out().contains("cannot be a BGP neighbor"), r.out());
        }
        Run nowhere = rveth("bird-config", "-f", VPS.toString(), "--out", dir.resolve("no/such/dir/rveth.conf").toString());
        assertEquals(ExitCodes.ERROR, nowhere.exit(), nowhere.out());
        assertTrue(nowhere.out().contains("Error: no such file or directory: " + dir.resolve("no/such/dir/rveth.conf")), nowhere.out());
        assertFalse(nowhere.out().contains("Exception"), "no stack trace: " + nowhere.out());
        Path birds = dir.resolve("birds.yaml");
        Files.writeString(birds, "version: 1\nhost: {route-protocol: 12}\ncontainers:\n  web:\n    interfaces:\n      eth0: {addresses: [10.5.5.1/24]}\n");
        Run twelve = rveth("bird-config", "-f", birds.toString());
        assertEquals(ExitCodes.USAGE, twelve.exit(), twelve.toString());
        assertTrue(twelve.out().contains("BIRD's own"), twelve.out());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\ncontainers:\n  web:\n    interfaces:\n      eth0: {addresses: [10.5.5.1/24], routes: [10.5.5.1/24]}\n");
        Run r = rveth("bird-config", "-f", bad.toString());
        assertEquals(ExitCodes.INVALID_MANIFEST, r.exit(), r.out());
    }
}
