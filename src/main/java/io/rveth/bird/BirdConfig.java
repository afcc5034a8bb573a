package io.rveth.bird;

import inet.ipaddr.IPAddress;
import io.rveth.manifest.DesiredState;
import io.rveth.manifest.Manifest;
import io.rveth.model.Family;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import io.rveth.model.Route;
import io.rveth.model.State;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * A BIRD 2 configuration snippet that announces exactly the prefixes rveth routes to
 * containers on a host: per family a kernel protocol that learns the host routes tagged
 * with rveth's route protocol (and only those whose prefix the manifest routes) into a
 * table of its own, and a BGP template whose export filter lets exactly those prefixes out.
 *
 * <p>Pure: the same desired state and options always give the same text, byte for byte,
 * so that a changed file means a changed manifest. The text is an include file for a
 * {@code bird.conf} that already has a {@code protocol device} and a {@code router id}.
 */
public final class BirdConfig {
    /** Names the snippet defines; an operator's bird.conf refers to the template by name. */
    public static final String TEMPLATE = "rveth_export";

    /** BIRD's default kernel scan time is 60 s; netlink reports most changes at once anyway. */
    public static final int DEFAULT_SCAN_TIME = 10;

    /**
     * What the operator may add.
     *
     * @param kernel     false: leave out rveth's kernel protocols and tables, for a bird.conf
     *                   whose own kernel protocol for the main table learns rveth's routes
     *                   (BIRD allows one kernel protocol per kernel table and family)
     * @param scanTime   seconds between the kernel protocols' full scans of the main table
     * @param localAs    {@code local as} in the template
     * @param neighbor   with {@code neighborAs}: a {@code protocol bgp} from the template
     */
    public record Options(boolean kernel, int scanTime, OptionalLong localAs, Optional<IPAddress> neighbor,
                          OptionalLong neighborAs) {
        public Options {
            if (scanTime < 1) throw new IllegalArgumentException("scan time must be at least 1 second, not " + scanTime);
            if (neighbor.isPresent() != neighborAs.isPresent()) {
                throw new IllegalArgumentException("a BGP neighbor needs both an address and an AS number");
            }
            if (neighbor.isPresent() && localAs.isEmpty()) {
                throw new IllegalArgumentException("a BGP neighbor needs the local AS number too");
            }
            for (OptionalLong as : List.of(localAs, neighborAs)) {
                if (as.isPresent() && (as.getAsLong() < 1 || as.getAsLong() > 4294967295L)) {
                    throw new IllegalArgumentException("AS number " + as.getAsLong() + " is out of range (1..4294967295)");
                }
            }
        }

        public static Options defaults() {
            return new Options(true, DEFAULT_SCAN_TIME, OptionalLong.empty(), Optional.empty(), OptionalLong.empty());
        }
    }

    private BirdConfig() {
    }

    /** The snippet for a validated manifest. */
    public static String of(Manifest manifest, Options options) {
        State desired = DesiredState.of(manifest);
        return of(manifest.file(), desired, manifest.host().netns(), manifest.host().routeProtocol(), options);
    }

    /**
     * The snippet for a desired state: its host routes (the routes rveth installs in
     * {@code host}) are what BIRD may learn and announce.
     *
     * @param source what the state came from, named in the header comment
     */
    public static String of(String source, State desired, Netns host, int protocol, Options options) {
        TreeSet<Prefix> v4 = new TreeSet<>();
        TreeSet<Prefix> v6 = new TreeSet<>();
        for (Route r : desired.routes()) {
            if (!r.netns().equals(host) || r.protocol() != protocol) continue;
            (r.dst().family() == Family.V4 ? v4 : v6).add(r.dst());
        }

        StringBuilder b = new StringBuilder();
        header(b, source, host, options);
        b.append("""

                # rveth tags the routes it installs on the host with this kernel route protocol
                # (host.route-protocol): the kernel protocols learn routes with it and no others.
                define RVETH_ROUTE_PROTOCOL = %d;

                # The prefixes the manifest routes to containers, and nothing else: a route
                # matches only with exactly this prefix (no longer or shorter one).
                """.formatted(protocol));
        prefixSet(b, "RVETH_PREFIXES4", v4, "IPv4");
        prefixSet(b, "RVETH_PREFIXES6", v6, "IPv6");
        filters(b);
        if (options.kernel()) {
            kernelProtocols(b, options);
        }
        template(b, options);
        if (options.neighbor().isPresent()) instance(b, options);
        return b.toString();
    }

    private static void header(StringBuilder b, String source, Netns host, Options options) {
        b.append("# BIRD 2 configuration for rveth: announce the prefixes rveth routes to containers.\n");
        b.append("# Generated by `rveth bird-config` from ").append(oneLine(source)).append(host.isCurrent() ? ""
                : " (host netns " + host + ")").append(".\n");
        b.append("# Regenerate it when the manifest changes, then `birdc configure`.\n");
        b.append("#\n");
        b.append("# Include it from bird.conf, which must also have a `router id` (or an IPv4 address\n");
        b.append("# to take one from) and a `protocol device` (BIRD resolves the routes' interfaces with it):\n");
        b.append("#\n");
        b.append("#   include \"/etc/bird/rveth.conf\";\n");
        if (options.neighbor().isPresent()) {
            b.append("#\n# The BGP session to the neighbor given is at the end of this file.\n");
        } else {
            b.append("#   protocol bgp uplink from ").append(TEMPLATE).append(" {\n");
            if (options.localAs().isEmpty()) b.append("#     local as 64512;\n");
            b.append("#     neighbor 198.51.100.1 as 64496;\n");
            b.append("#   }\n");
        }
        if (options.kernel()) {
            b.append("#\n");
            b.append("# BIRD allows one kernel protocol per kernel table and family. If bird.conf already\n");
            b.append("# has a `protocol kernel` for the main table (Debian's default has one per family),\n");
            b.append("# BIRD logs \"Kernel table 254 already registered\" and learns nothing here: then use\n");
            b.append("# `rveth bird-config --no-kernel` and let that protocol learn rveth's routes.\n");
        } else {
            b.append("#\n");
            b.append("# --no-kernel: bird.conf's own kernel protocol for the main table must learn rveth's\n");
            b.append("# routes into the master tables, per family, e.g. for IPv4:\n");
            b.append("#\n");
            b.append("#   protocol kernel {\n");
            b.append("#     learn;\n");
            b.append("#     ipv4 { import filter rveth_learn4; export all; };\n");
            b.append("#   }\n");
            b.append("#\n");
            b.append("# (rveth_learn4 imports nothing but rveth's routes; BIRD learns no other foreign route there.)\n");
        }
    }

    private static void prefixSet(StringBuilder b, String name, TreeSet<Prefix> prefixes, String label) {
        if (prefixes.isEmpty()) {
            b.append("define ").append(name).append(" = [ ];    # the manifest routes no ").append(label).append(" prefix\n");
            return;
        }
        b.append("define ").append(name).append(" = [\n");
        int i = 0;
        for (Prefix p : prefixes) {
            b.append("  ").append(p).append(++i < prefixes.size() ? ",\n" : "\n");
        }
        b.append("];\n");
    }

    private static void filters(StringBuilder b) {
        b.append("""

                # rveth_learn*: what a kernel protocol may learn from the main table. Without `learn`
                # BIRD takes no route it did not install itself; with it, these filters keep all but
                # rveth's own host routes out: connected networks, the default route, routes of
                # other daemons and by hand, and routes with rveth's protocol that the manifest does
                # not route (say, left from an older manifest until the next apply).
                #
                # rveth_announce*: what BGP may announce. The same test again, so that the template
                # stays exact on a table that holds other routes too (with --no-kernel, rveth's
                # routes are in the master tables).
                """);
        for (Family f : Family.values()) {
            b.append("""

                    filter rveth_learn%1$s {
                      if krt_source != RVETH_ROUTE_PROTOCOL then reject;
                      if net ~ RVETH_PREFIXES%1$s then accept;
                      reject;
                    }

                    filter rveth_announce%1$s {
                      if source != RTS_INHERIT then reject;    # not learned from a kernel protocol
                      if krt_source != RVETH_ROUTE_PROTOCOL then reject;
                      if net ~ RVETH_PREFIXES%1$s then accept;
                      reject;
                    }
                    """.formatted(suffix(f)));
        }
    }

    private static void kernelProtocols(StringBuilder b, Options options) {
        b.append("""

                # Tables of their own: rveth's routes do not mix with the master tables, so nothing
                # else in bird.conf sees them (or exports them back to the kernel) unless told to.
                ipv4 table rveth4;
                ipv6 table rveth6;

                # The kernel protocols learn rveth's host routes from the kernel's main table and
                # install nothing. Netlink reports each change at once; the full scan every %d s
                # is the safety net for a message lost (a busy host can overflow the socket).
                """.formatted(options.scanTime()));
        for (Family f : Family.values()) {
            String n = suffix(f);
            b.append("""

                    protocol kernel rveth_kernel%1$s {
                      %3$s {
                        table rveth%1$s;
                        import filter rveth_learn%1$s;
                        export none;
                      };
                      kernel table 254;    # main, where rveth installs its routes
                      learn;
                      scan time %2$d;
                    }
                    """.formatted(n, options.scanTime(), channel(f)));
        }
    }

    private static void template(StringBuilder b, Options options) {
        b.append("""

                # Instantiate per BGP neighbor: `protocol bgp NAME from %s { neighbor ADDR as ASN; }`.
                # One session carries both families (an IPv6 prefix over an IPv4 session takes the
                # global IPv6 address of the shared link as its next hop). Nothing is imported:
                # this template only announces.
                template bgp %s {
                """.formatted(TEMPLATE, TEMPLATE));
        if (options.localAs().isPresent()) b.append("  local as ").append(options.localAs().getAsLong()).append(";\n");
        for (Family f : Family.values()) {
            String n = suffix(f);
            b.append("  ").append(channel(f)).append(" {\n");
            if (options.kernel()) b.append("    table rveth").append(n).append(";\n");
            b.append("    import none;\n");
            b.append("    export filter rveth_announce").append(n).append(";\n");
            b.append("    next hop self;    # the host is the way to its containers, for iBGP peers too\n");
            b.append("  };\n");
        }
        b.append("}\n");
    }

    private static void instance(StringBuilder b, Options options) {
        b.append("\nprotocol bgp rveth_uplink from ").append(TEMPLATE).append(" {\n");
        b.append("  neighbor ").append(options.neighbor().get().withoutPrefixLength().toCanonicalString())
                .append(" as ").append(options.neighborAs().getAsLong()).append(";\n");
        b.append("}\n");
    }

    private static String suffix(Family f) {
        return f == Family.V4 ? "4" : "6";
    }

    private static String channel(Family f) {
        return f == Family.V4 ? "ipv4" : "ipv6";
    }

    /** A comment line must stay one line, whatever a file name holds. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]", "?");
    }
}
