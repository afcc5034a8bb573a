package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rveth.model.Prefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code rveth bird-config} with real BIRDs: BIRD in the host netns announces over BGP what
 * the generated snippet lets out, to a second BIRD in a "router" netns that installs what it
 * learns in its kernel table. The router must learn exactly the container prefixes (the
 * host's connected networks, its default route and routes put there on purpose as controls
 * stay home), reach a container with real packets, and lose a container's prefixes when it
 * leaves the manifest.
 *
 * <p>Every BIRD has its own config, control socket and pid file under a temp dir, runs in
 * the foreground as a child of this test, and is killed afterwards, pass or fail. Timers
 * are short and every wait polls for its condition with a deadline.
 */
class BirdIT {
    static final String MANIFEST = """
            version: 1
            host: {netns: "@NS@-host"}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [203.0.113.10/32, 2001:db8:10::10/128]
                    routes: [198.51.100.0/28]
            @DB@
            """;
    static final String DB = """
              db:
                netns: "@NS@-db"
                create-netns: true
                interfaces:
                  eth0:
                    addresses: [203.0.113.20/32, 10.20.0.1/24, 2001:db8:20::1/64]
            """;

    static final Set<String> WEB_PREFIXES = Set.of("198.51.100.0/28", "203.0.113.10/32", "2001:db8:10::10/128");
    static final Set<String> DB_PREFIXES = Set.of("10.20.0.0/24", "203.0.113.20/32", "2001:db8:20::/64");
    static final Duration CONVERGE = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Sandbox box;
    String host;
    String router;
    final List<Process> birds = new ArrayList<>();

    @BeforeEach
    void sandbox() {
        box = new Sandbox();
        requireBird();
        host = box.ns("host");
        router = box.ns("router");
    }

    @AfterEach
    void cleanup() throws InterruptedException {
        for (Process p : birds) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (box != null) box.close();
    }

    static void requireBird() {
        boolean bird = Sandbox.run(List.of("bird", "--version")).exit() == 0
                && Sandbox.run(List.of("birdc", "--version")).exit() != 127;
        if (!bird && "true".equals(System.getenv("CI"))) fail("bird and birdc (Debian: bird2) are needed under CI=true");
        assumeTrue(bird, "bird and birdc (Debian: bird2) are not installed");
    }

    /**
     * @param kernel true: the snippet's own kernel protocols and tables; false
     *               ({@code --no-kernel}): bird.conf's kernel protocols for the main table,
     *               as Debian's default has them, learn rveth's routes into the master tables
     */
    @ParameterizedTest(name = "kernel protocols from the snippet: {0}")
    @ValueSource(booleans = {true, false})
    void theRouterLearnsExactlyTheContainerPrefixes(boolean kernel) throws Exception {
        // The host netns and its link to the router: 10.99.0.0/30 and 2001:db8:ff::/64.
        for (String ns : List.of(host, router)) {
            Sandbox.run(List.of("ip", "netns", "add", ns));
            box.ip(ns, "link", "set", "lo", "up");
        }
        box.ip(host, "link", "add", "rt0", "type", "veth", "peer", "name", "eth0", "netns", router);
        box.ip(host, "addr", "add", "10.99.0.1/30", "dev", "rt0");
        box.ip(host, "addr", "add", "2001:db8:ff::1/64", "dev", "rt0", "nodad");
        box.ip(host, "link", "set", "rt0", "up");
        box.ip(router, "addr", "add", "10.99.0.2/30", "dev", "eth0");
        box.ip(router, "addr", "add", "2001:db8:ff::2/64", "dev", "eth0", "nodad");
        box.ip(router, "link", "set", "eth0", "up");

        // Controls, in the host's main table before BIRD starts, so its first scan sees them.
        // None may reach the router: routes with rveth's protocol whose prefix the manifest
        // does not route (the prefix filter), routes of another protocol, among them db's
        // prefixes at a higher metric, which stay when rveth's go (the protocol filter), and
        // a default route. The host's connected networks are controls too.
        box.ip(host, "link", "add", "ctl0", "type", "veth", "peer", "name", "ctl1");
        box.ip(host, "link", "set", "ctl0", "up");
        box.ip(host, "link", "set", "ctl1", "up");
        box.ip(host, "route", "add", "198.51.100.200/29", "dev", "ctl0", "proto", "147");
        box.ip(host, "-6", "route", "add", "2001:db8:99::/48", "dev", "ctl0", "proto", "147");
        box.ip(host, "route", "add", "198.51.100.128/26", "dev", "ctl0", "proto", "static");
        box.ip(host, "-6", "route", "add", "2001:db8:98::/48", "dev", "ctl0", "proto", "static");
        box.ip(host, "route", "add", "203.0.113.20/32", "dev", "ctl0", "proto", "static", "metric", "500");
        box.ip(host, "-6", "route", "add", "2001:db8:20::/64", "dev", "ctl0", "proto", "static", "metric", "2048");
        box.ip(host, "route", "add", "default", "via", "10.99.0.2", "proto", "static");

        Path manifest = box.manifest("m.yaml", MANIFEST.replace("@DB@", DB));
        Path snippet = dir.resolve("rveth.conf");
        Sandbox.Run gen = rveth("bird-config", "-f", manifest.toString(), "--scan-time", "1", "--out", snippet.toString(),
                kernel ? "--kernel" : "--no-kernel");
        assertEquals(0, gen.exit(), gen.toString());
        // Debian's default kernel protocols, with learn and rveth's import filter (after the include).
        String ownKernel = kernel ? "" : """
                protocol kernel { learn; scan time 1; ipv4 { import filter rveth_learn4; export all; }; }
                protocol kernel { learn; scan time 1; ipv6 { import filter rveth_learn6; export all; }; }
                """;

        String timers = "connect delay time 1; connect retry time 1; error wait time 1, 2; hold time 6; keepalive time 2;";
        startBird("host", host, """
                router id 10.99.0.1;
                log stderr all;
                protocol device { scan time 1; }
                include "%s";
                %s
                protocol bgp uplink from rveth_export {
                  local 10.99.0.1 as 64512;
                  neighbor 10.99.0.2 as 64496;
                  %s
                }
                """.formatted(snippet, ownKernel, timers));
        startBird("router", router, """
                router id 10.99.0.2;
                log stderr all;
                protocol device { scan time 1; }
                protocol kernel { ipv4 { import none; export all; }; scan time 1; }
                protocol kernel { ipv6 { import none; export all; }; scan time 1; }
                protocol bgp host {
                  local 10.99.0.2 as 64496;
                  neighbor 10.99.0.1 as 64512;
                  ipv4 { import all; export none; };
                  ipv6 { import all; export none; };
                  %s
                }
                """.formatted(timers));
        await("the BGP session is established", () -> birdc("router", "show", "protocols", "host").contains("Established"));

        Sandbox.Run apply = rveth("apply", "-f", manifest.toString());
        assertEquals(0, apply.exit(), apply.toString());
        Set<String> all = new TreeSet<>(WEB_PREFIXES);
        all.addAll(DB_PREFIXES);
        awaitLearned(all);

        // Real packets from the router to containers, over the routes it learned.
        for (String a : List.of("203.0.113.10", "2001:db8:10::10", "10.20.0.1", "2001:db8:20::1")) {
            assertTrue(box.ping(router, a), "router -> " + a + "\n" + diagnostics());
        }

        // db leaves the manifest: its veth goes, and so do its prefixes at the router.
        Sandbox.Run remove = rveth("apply", "-f", box.manifest("m.yaml", MANIFEST.replace("@DB@", "")).toString());
        assertEquals(0, remove.exit(), remove.toString());
        awaitLearned(WEB_PREFIXES);
        assertTrue(box.ping(router, "203.0.113.10"), "web is still reachable\n" + diagnostics());
        // ... while the host still routes db's prefixes by another protocol, which stays home.
        assertTrue(box.ip(host, "route", "show", "203.0.113.20/32").contains("proto static"), diagnostics());
        assertTrue(box.ip(host, "-6", "route", "show", "2001:db8:20::/64").contains("proto static"), diagnostics());
    }

    /** Writes a config and starts BIRD in the foreground in {@code netns}, logging to a file. */
    void startBird(String name, String netns, String config) throws IOException {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, config);
        Sandbox.Run parse = Sandbox.run(List.of("bird", "-p", "-c", conf.toString()));
        assertEquals(0, parse.exit(), "bird -p " + conf + ": " + parse + "\n" + config);
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", netns, "bird", "-f", "-c", conf.toString(),
                "-s", socket(name).toString(), "-P", dir.resolve(name + ".pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        birds.add(pb.start());
        await("BIRD " + name + " answers on its socket", () -> birdc(name, "show", "status").contains("Daemon is up"));
    }

    Path socket(String name) {
        return dir.resolve(name + ".ctl");
    }

    String birdc(String name, String... command) {
        List<String> argv = new ArrayList<>(List.of("birdc", "-s", socket(name).toString()));
        argv.addAll(List.of(command));
        return Sandbox.run(argv).out();
    }

    /** The prefixes BIRD installed in the router's kernel (proto bird), both families. */
    Set<String> learned() {
        Set<String> out = new TreeSet<>();
        for (String family : List.of("-4", "-6")) {
            String json = box.ip(router, "-j", family, "route", "show", "proto", "bird");
            try {
                for (JsonNode r : JSON.readTree(json.isBlank() ? "[]" : json)) out.add(Prefix.parse(r.get("dst").asText()).toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    void awaitLearned(Set<String> expected) {
        Set<String> want = new TreeSet<>(expected);
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        Set<String> got = learned();
        while (!got.equals(want) && System.nanoTime() < deadline) {
            pause();
            got = learned();
        }
        assertEquals(want, got, "the router's BGP routes\n" + diagnostics());
    }

    void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) fail("waited " + CONVERGE.toSeconds() + "s for " + what + "\n" + diagnostics());
            pause();
        }
    }

    static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What both BIRDs and the host's kernel say, for a failure message. */
    String diagnostics() {
        StringBuilder b = new StringBuilder();
        b.append("--- host main table\n").append(Sandbox.run(List.of("ip", "-n", host, "route")).out())
                .append(Sandbox.run(List.of("ip", "-n", host, "-6", "route")).out());
        for (String name : List.of("host", "router")) {
            b.append("--- birdc ").append(name).append(" show protocols\n").append(birdc(name, "show", "protocols"));
            b.append("--- birdc ").append(name).append(" show route all tables\n").append(birdc(name, "show", "route", "table", "all"));
            try {
                Path log = dir.resolve(name + ".log");
                if (Files.exists(log)) b.append("--- ").append(name).append(".log\n").append(Files.readString(log));
            } catch (IOException e) {
                b.append(e).append('\n');
            }
        }
        return b.toString();
    }
}
