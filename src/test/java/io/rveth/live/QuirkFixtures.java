package io.rveth.live;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.rveth.model.Netns;
import io.rveth.model.State;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The kernel and iproute2 quirks recorded by {@code src/test/resources/ip/quirks/record.sh}
 * (namespaces rvq-host, rvq-web, rvq-db; one folder per case), read the way
 * {@link LiveReader} reads a host: the host dump with its IPv6 rules, plus both container
 * dumps.
 */
public final class QuirkFixtures {
    public static final int PROTO = 147;
    public static final Netns HOST = new Netns("rvq-host");
    public static final Netns WEB = new Netns("rvq-web");
    public static final Netns DB = new Netns("rvq-db");
    public static final Set<Netns> EXISTING = Set.of(HOST, WEB, DB);

    private QuirkFixtures() {
    }

    /** The exact bytes recorded for {@code file} of {@code quirk}. */
    public static String text(String quirk, String file) {
        String path = "/ip/quirks/" + quirk + "/" + file;
        try (InputStream in = QuirkFixtures.class.getResourceAsStream(path)) {
            assertNotNull(in, path + " is missing; run src/test/resources/ip/quirks/record.sh as root to record it");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path, e);
        }
    }

    public static NamespaceDump hostDump(String quirk) {
        return NamespaceDump.parse(HOST, text(quirk, "host.json"), true).withRules(text(quirk, "host-rules.json"));
    }

    public static NamespaceDump containerDump(String quirk, Netns netns) {
        return NamespaceDump.parse(netns, text(quirk, netns.name().substring("rvq-".length()) + ".json"), false);
    }

    /** Live state of one quirk, as {@code rveth plan} reads it for a manifest with web and db. */
    public static State state(String quirk) {
        return new LiveParser(HOST, PROTO).parse(EXISTING, hostDump(quirk),
                List.of(containerDump(quirk, WEB), containerDump(quirk, DB)));
    }
}
