package io.rveth.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rveth.live.LiveParser;
import io.rveth.live.NamespaceDump;
import io.rveth.manifest.DesiredState;
import io.rveth.manifest.ManifestReader;
import io.rveth.model.Netns;
import io.rveth.model.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Synthetic hosts of the shape bench/run uses: container {@code i} has one interface with
 * one IPv4 /32, one IPv6 /128 and one routed /29, so the desired state holds six routes per
 * container (three host routes, and the container's on-link gateway route and two default
 * routes). Desired state comes from manifest text through {@link ManifestReader}; live state
 * from {@code ip -N -j} documents, shaped as iproute2 6.1 prints them, through
 * {@link LiveParser}: the same paths {@code rveth plan} takes, and only public entry points.
 *
 * <p>Drift: every tenth container differs in live state from the manifest, four ways at
 * once: its /29 host route is missing (create), its IPv4 /32 host route points at the next
 * container's host end (update), a stray route with rveth's protocol sits on its host end
 * (delete), and a stray address sits in the container (delete).
 *
 * <p>The host's IPv6 policy rules (two allow rules and a drop rule per host end, as rveth
 * makes them) are in the live state too, so they plan no changes.
 */
public final class Synth {
    public static final Netns HOST = new Netns("rvbench-host");
    public static final int PROTO = 147;
    public static final int ROUTES_PER_CONTAINER = 6;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Synth() {
    }

    static String name(int i) {
        return String.format("c%06d", i);
    }

    static Netns netns(int i) {
        return new Netns("rvbench-" + name(i));
    }

    static String hostEnd(int i) {
        return "rv-" + name(i);
    }

    static boolean drifted(int i) {
        return i % 10 == 0;
    }

    static String v4(int base, int i) {
        long a = base + (long) i;
        return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
    }

    /** 10.64.0.0 + i + 1: the container's IPv4 /32. */
    static String addr4(int i) {
        return v4(10 << 24 | 64 << 16, i + 1);
    }

    /** 10.0.0.0 + 8i: the container's routed /29 (10.0.0.0/10 holds 524,288 of them). */
    static String net29(int i) {
        return v4(10 << 24, 8 * i) + "/29";
    }

    /** 2001:db8:1:: + i + 1, written as ip prints it. */
    static String addr6(int i) {
        return "2001:db8:1::" + groups(i);
    }

    /** The interface identifier i + 1 as one or two IPv6 groups (no group over 16 bits). */
    static String groups(int i) {
        int a = i + 1;
        return a < 0x10000 ? Integer.toHexString(a) : Integer.toHexString(a >>> 16) + ":" + Integer.toHexString(a & 0xffff);
    }

    /** The manifest: {@code containers} containers, all in rvbench-* namespaces. */
    public static String manifest(int containers) {
        StringBuilder y = new StringBuilder(containers * 200);
        y.append("version: 1\nhost:\n  netns: ").append(HOST.name()).append("\n  create-netns: true\ncontainers:\n");
        for (int i = 0; i < containers; i++) {
            y.append("  ").append(name(i)).append(":\n")
                    .append("    netns: ").append(netns(i).name()).append("\n")
                    .append("    create-netns: true\n")
                    .append("    interfaces:\n      eth0:\n        addresses:\n")
                    .append("          - ").append(addr4(i)).append("\n")
                    .append("          - \"").append(addr6(i)).append("\"\n")
                    .append("        routes:\n          - ").append(net29(i)).append("\n");
        }
        return y.toString();
    }

    public static State desired(int containers) {
        try {
            return DesiredState.of(ManifestReader.parse("synthetic.yaml", manifest(containers)));
        } catch (Exception e) {
            throw new IllegalStateException("the synthetic manifest is invalid: " + e.getMessage(), e);
        }
    }

    /** The live dumps of the converged host, less the drift. */
    public static Dumps dumps(int containers) {
        ArrayNode hostAddrs = F.arrayNode();
        ArrayNode hostRoutes = F.arrayNode();
        ArrayNode netconf = F.arrayNode();
        ArrayNode nsids = F.arrayNode();
        ArrayNode hostLinks = F.arrayNode();
        // ip -6 -N -j rule show: the kernel's own rules, and rveth's per host end (IPv6
        // anti-spoofing): allow from the routed /128 and from fe80::/10, then drop the rest.
        ArrayNode rules = F.arrayNode();
        rules.add(F.objectNode().put("priority", 0).put("src", "all").put("table", "255"));
        ArrayNode dropRules = F.arrayNode();
        hostAddrs.add(loopback());
        hostLinks.add(link(1, "lo", null, null, null));
        List<NamespaceDump> dumps = new ArrayList<>(containers);
        for (int i = 0; i < containers; i++) {
            int ifindex = i + 2;
            String dev = hostEnd(i);
            ObjectNode link = link(ifindex, dev, 2, i, "rveth:" + name(i) + "/eth0");
            hostLinks.add(link);
            ObjectNode a = link(ifindex, dev, 2, i, null);
            ArrayNode info = a.putArray("addr_info");
            info.add(addr("inet", "169.254.0.1", 32, dev));
            info.add(addr("inet6", "fe80::1", 128, null));
            info.add(addr("inet6", "fe80::" + groups(i), 64, null));
            hostAddrs.add(a);
            if (!drifted(i)) hostRoutes.add(route(net29(i), dev, PROTO, null, null));
            hostRoutes.add(route(addr4(i), drifted(i) && i + 1 < containers ? hostEnd(i + 1) : dev, PROTO, null, null));
            if (drifted(i)) hostRoutes.add(route(v4(10 << 24 | 128 << 16, i + 1), dev, PROTO, null, null));
            hostRoutes.add(route(addr6(i), dev, PROTO, 1024L, null));
            hostRoutes.add(route("fe80::1", dev, 2, 256L, null));
            hostRoutes.add(route("fe80::/64", dev, 2, 256L, null));
            ObjectNode local = route("169.254.0.1", dev, 2, null, null);
            local.put("table", "255").put("type", "2");
            hostRoutes.add(local);
            ObjectNode nc = F.objectNode();
            nc.put("family", "inet").put("interface", dev).put("forwarding", true).put("rp_filter", "strict");
            netconf.add(nc);
            nsids.add(F.objectNode().put("nsid", i).put("name", netns(i).name()));
            rules.add(F.objectNode().put("priority", 1000).put("src", addr6(i)).put("iif", dev).put("table", "254")
                    .put("protocol", String.valueOf(PROTO)));
            rules.add(F.objectNode().put("priority", 1000).put("src", "fe80::").put("srclen", 10).put("iif", dev)
                    .put("table", "254").put("protocol", String.valueOf(PROTO)));
            dropRules.add(F.objectNode().put("priority", 1001).put("src", "all").put("iif", dev).put("action", "6")
                    .put("protocol", String.valueOf(PROTO)));
            dumps.add(container(i, ifindex));
        }
        for (String family : List.of("inet", "inet6")) {
            ObjectNode all = F.objectNode().put("family", family).put("interface", "all").put("forwarding", true);
            if (family.equals("inet")) all.put("rp_filter", "off");
            netconf.add(all);
        }
        rules.addAll(dropRules);
        rules.add(F.objectNode().put("priority", 32766).put("src", "all").put("table", "254"));
        NamespaceDump host = new NamespaceDump(HOST, hostAddrs, hostRoutes, netconf, nsids, hostLinks, rules);
        Set<Netns> existing = new TreeSet<>();
        existing.add(HOST);
        for (NamespaceDump d : dumps) existing.add(d.netns());
        return new Dumps(existing, host, dumps);
    }

    private static NamespaceDump container(int i, int hostIfindex) {
        ArrayNode addrs = F.arrayNode();
        addrs.add(loopback());
        ObjectNode eth0 = link(2, "eth0", hostIfindex, 0, null);
        ArrayNode info = eth0.putArray("addr_info");
        info.add(addr("inet", addr4(i), 32, "eth0"));
        info.add(addr("inet6", addr6(i), 128, null));
        if (drifted(i)) info.add(addr("inet", v4(10 << 24 | 96 << 16, i + 1), 32, "eth0"));
        info.add(addr("inet6", "fe80::" + groups(i) + ":1", 64, null));
        addrs.add(eth0);
        ArrayNode routes = F.arrayNode();
        routes.add(route("default", "eth0", PROTO, null, "169.254.0.1"));
        routes.add(route("169.254.0.1", "eth0", PROTO, null, null));
        routes.add(route(addr6(i), "eth0", 2, 256L, null));
        routes.add(route("fe80::/64", "eth0", 2, 256L, null));
        ObjectNode v6default = route("default", "eth0", PROTO, 1024L, "fe80::1");
        routes.add(v6default);
        ObjectNode local = route(addr4(i), "eth0", 2, null, null);
        local.put("table", "255").put("type", "2");
        routes.add(local);
        return new NamespaceDump(netns(i), addrs, routes, null, null, null);
    }

    private static ObjectNode loopback() {
        ObjectNode lo = link(1, "lo", null, null, null);
        ArrayNode info = lo.putArray("addr_info");
        info.add(addr("inet", "127.0.0.1", 8, "lo"));
        info.add(addr("inet6", "::1", 128, null));
        return lo;
    }

    private static ObjectNode link(int ifindex, String name, Integer peer, Integer netnsid, String alias) {
        ObjectNode n = F.objectNode();
        n.put("ifindex", ifindex);
        if (peer != null) n.put("link_index", peer);
        n.put("ifname", name);
        ArrayNode flags = n.putArray("flags");
        if (name.equals("lo")) flags.add("LOOPBACK");
        else flags.add("BROADCAST").add("MULTICAST");
        flags.add("UP").add("LOWER_UP");
        n.put("mtu", name.equals("lo") ? 65536 : 1500);
        n.put("qdisc", "noqueue").put("operstate", "UP").put("group", "0").put("txqlen", 1000);
        n.put("address", name.equals("lo") ? "00:00:00:00:00:00"
                : String.format("02:00:%02x:%02x:%02x:%02x", ifindex >>> 24 & 255, ifindex >>> 16 & 255, ifindex >>> 8 & 255, ifindex & 255));
        if (netnsid != null) n.put("link_netnsid", netnsid);
        if (alias != null) n.put("ifalias", alias);
        return n;
    }

    private static ObjectNode addr(String family, String local, int length, String label) {
        ObjectNode a = F.objectNode();
        a.put("family", family).put("local", local).put("prefixlen", length).put("scope", "0");
        if (label != null) a.put("label", label);
        a.put("valid_life_time", 4294967295L).put("preferred_life_time", 4294967295L);
        return a;
    }

    private static ObjectNode route(String dst, String dev, int proto, Long metric, String via) {
        ObjectNode r = F.objectNode();
        r.put("dst", dst);
        if (via != null) r.put("gateway", via);
        r.put("dev", dev).put("protocol", String.valueOf(proto));
        if (metric != null) r.put("metric", metric);
        r.putArray("flags");
        if (dst.contains(":") || via != null && via.contains(":")) r.put("pref", "medium");
        return r;
    }

    /** One read of the synthetic host, as LiveReader would hand it to the parser. */
    public record Dumps(Set<Netns> existing, NamespaceDump host, List<NamespaceDump> containers) {
        public State state() {
            return new LiveParser(HOST, PROTO).parse(existing, host, containers);
        }
    }
}
