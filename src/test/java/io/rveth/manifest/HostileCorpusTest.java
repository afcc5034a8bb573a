package io.rveth.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input, each case rejected with a message that names the place, and never
 * hanging: the timeouts are a guard against runaway input, not a speed target.
 */
class HostileCorpusTest {
    static final Duration GUARD = Duration.ofSeconds(60);

    static String oneInterface(String key, String body) {
        return "version: 1\ncontainers:\n  web:\n    interfaces:\n      " + key + ":\n" + body;
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("newline in an interface name", oneInterface("\"eth\\n0\"", "        addresses: [203.0.113.10/32]\n"), "interface name"),
                Arguments.of("space in a host-name", oneInterface("eth0", "        host-name: \"veth web\"\n"), "host-name"),
                Arguments.of("unicode in an interface name", oneInterface("\"éth0\"", "        addresses: [203.0.113.10/32]\n"), "printable ASCII"),
                Arguments.of("16-byte host-name", oneInterface("eth0", "        host-name: abcdefghijklmnop\n"), "16 bytes"),
                Arguments.of("newline in a netns name", "version: 1\nhost: {netns: \"a\\nb\"}\n", "host.netns"),
                Arguments.of("0.0.0.0/0 routed", oneInterface("eth0", "        routes: [0.0.0.0/0]\n"), "take over the host's default route"),
                Arguments.of("::/0 routed", oneInterface("eth0", "        routes: [\"::/0\"]\n"), "take over the host's default route"),
                Arguments.of("/33", oneInterface("eth0", "        addresses: [203.0.113.10/33]\n"), "not an IP address"),
                Arguments.of("/129", oneInterface("eth0", "        addresses: [\"2001:db8::1/129\"]\n"), "not an IP address"),
                Arguments.of("IPv4-mapped IPv6", oneInterface("eth0", "        addresses: [\"::ffff:203.0.113.10/128\"]\n"), "IPv4-mapped"),
                Arguments.of("zone id", oneInterface("eth0", "        addresses: [\"fe80::1%eth0/64\"]\n"), "zone id"),
                Arguments.of("duplicate keys", "version: 1\nversion: 1\n", "duplicate key"),
                Arguments.of("wrong type", oneInterface("eth0", "        mtu: [1500]\n"), "whole number"),
                Arguments.of("deep nesting", "version: 1\nx: " + "[".repeat(5000) + "]".repeat(5000) + "\n", "nesting"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void rejectedWithAMessageThatSaysWhere(String what, String yaml, String fragment) {
        ManifestException e = assertThrows(ManifestException.class,
                () -> assertTimeoutPreemptively(GUARD, () -> ManifestReader.parse("hostile.yaml", yaml)));
        assertFalse(e.problems().isEmpty());
        String all = e.getMessage();
        assertTrue(all.startsWith("hostile.yaml:"), all);
        assertTrue(e.problems().stream().anyMatch(p -> p.message().contains(fragment) || p.toString().contains(fragment)),
                what + ": " + all);
        assertFalse(all.chars().anyMatch(c -> c < 0x20 && c != '\n'), "no raw control characters: " + all);
    }

    /** 100,000 lines: 10,000 containers of 10 lines each; it must go through, not fall over. */
    @Test
    void aManifestOfAHundredThousandLines() throws Exception {
        StringBuilder y = new StringBuilder("version: 1\nhost: {netns: h}\ncontainers:\n");
        for (int i = 0; i < 10_000; i++) {
            y.append("  c").append(i).append(":\n")
                    .append("    netns: n").append(i).append('\n')
                    .append("    interfaces:\n")
                    .append("      eth0:\n")
                    .append("        mtu: 1500\n")
                    .append("        addresses:\n")
                    .append("          - 10.").append(i / 250).append('.').append(i % 250).append(".1/32\n")
                    .append("          - 2001:db8:").append(Integer.toHexString(i)).append("::1/128\n")
                    .append("        routes:\n")
                    .append("          - 198.51.100.0/32\n".replace("198.51.100.0", "10.200." + i / 250 + "." + i % 250));
        }
        String yaml = y.toString();
        assertTrue(yaml.lines().count() >= 100_000, "lines: " + yaml.lines().count());
        Manifest m = assertTimeoutPreemptively(GUARD, () -> ManifestReader.parse("big.yaml", yaml));
        assertEquals(10_000, m.containers().size());
    }

    /** Beyond the size rveth reads at all: refused at once, with the limit named. */
    @Test
    void aHugeFileIsRefused() {
        String yaml = "version: 1\n# " + "x".repeat(ManifestReader.MAX_CODE_POINTS) + "\n";
        ManifestException e = assertThrows(ManifestException.class,
                () -> assertTimeoutPreemptively(GUARD, () -> ManifestReader.parse("huge.yaml", yaml)));
        assertTrue(e.getMessage().startsWith("huge.yaml:1:1"), e.getMessage());
        assertTrue(e.getMessage().contains("reads manifests of up to 16 MiB"), e.getMessage());
    }
}
