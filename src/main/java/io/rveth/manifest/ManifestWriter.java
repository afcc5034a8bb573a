package io.rveth.manifest;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Endpoint;
import io.rveth.model.Family;
import io.rveth.model.IpText;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Veth;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.StreamDataWriter;
import org.snakeyaml.engine.v2.comments.CommentLine;
import org.snakeyaml.engine.v2.comments.CommentType;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * The reverse of {@link DesiredState}: a manifest (format version 1) that asks for exactly
 * the topology a live {@link State} holds, so that planning it against that state finds
 * nothing to do. Pure: the same state always gives the same text, sorted by name and
 * address.
 *
 * <p>What a live state cannot tell is left out: {@code mac} (the kernel always has one, so
 * it is unknown whether the manifest pinned it) and {@code create-netns}. Defaults are left
 * out too (gateways, route protocol, mtu 1500, the default host-name, netns equal to the
 * container name). Whatever the manifest format cannot express (a route metric, an extra
 * address on a host end, interfaces of one container in different namespaces...) becomes a
 * note for the user; applying the manifest would change it.
 *
 * <p>How host routes become addresses and routes: an address is written plain when its
 * auto-route (its network) is one of its interface's host routes, without {@code via}, and
 * no other route of the interface contains it; otherwise it is written with
 * {@code route: false}. Every host route not used up as an auto-route is listed under
 * {@code routes}. Reading the result back through {@link Manifest.Interface#routedPrefixes()}
 * gives the same set of host routes.
 */
public final class ManifestWriter {
    static final IPAddress DEFAULT_IPV4_GATEWAY = new IPAddressString("169.254.0.1", IpText.STRICT).getAddress();
    static final IPAddress DEFAULT_IPV6_GATEWAY = new IPAddressString("fe80::1", IpText.STRICT).getAddress();
    /** The kernel's MTU for a new veth: not worth writing down. */
    static final int DEFAULT_MTU = 1500;

    private ManifestWriter() {
    }

    /**
     * The exported manifest, and what it could not carry over (one sentence each, for the
     * user; empty when the manifest reproduces everything it was given).
     */
    public record Export(String yaml, List<String> notes, int containers, int interfaces) {
        public Export {
            notes = List.copyOf(notes);
        }
    }

    /** The manifest text for {@code live}, read from host netns {@code host} with route protocol {@code protocol}. */
    public static String write(State live, Netns host, int protocol) {
        return export(live, host, protocol).yaml();
    }

    public static Export export(State live, Netns host, int protocol) {
        return new Exporter(live, host, protocol).run();
    }

    /** One export: the state, indexed, and the notes collected along the way. */
    private static final class Exporter {
        private final State live;
        private final Netns host;
        private final int protocol;
        private final List<String> notes = new ArrayList<>();
        private final Map<String, List<Address>> addressesByDev = new HashMap<>();
        private final Map<String, List<Route>> routesByDev = new HashMap<>();
        private int interfaceCount;

        Exporter(State live, Netns host, int protocol) {
            this.live = live;
            this.host = host;
            this.protocol = protocol;
            for (Address a : live.addresses()) addressesByDev.computeIfAbsent(key(a.netns(), a.dev()), k -> new ArrayList<>()).add(a);
            for (Route r : live.routes()) routesByDev.computeIfAbsent(key(r.netns(), r.dev()), k -> new ArrayList<>()).add(r);
        }

        private static String key(Netns netns, String dev) {
            return netns.name() + "\0" + dev;
        }

        private List<Address> addressesOf(Netns netns, String dev) {
            return addressesByDev.getOrDefault(key(netns, dev), List.of());
        }

        private List<Route> routesOf(Netns netns, String dev) {
            return routesByDev.getOrDefault(key(netns, dev), List.of());
        }

        Export run() {
            List<Veth> veths = live.veths().stream().filter(v -> v.host().netns().equals(host))
                    .sorted(Comparator.comparing((Veth v) -> v.host().name())).toList();
            IPAddress gw4 = gateway(veths, Family.V4);
            IPAddress gw6 = gateway(veths, Family.V6);

            Map<String, Object> root = new LinkedHashMap<>();
            root.put("version", 1);
            Map<String, Object> hostSection = new LinkedHashMap<>();
            if (!host.isCurrent()) hostSection.put("netns", host.name());
            if (!gw4.equals(DEFAULT_IPV4_GATEWAY)) hostSection.put("ipv4-gateway", gw4.toCanonicalString());
            if (!gw6.equals(DEFAULT_IPV6_GATEWAY)) hostSection.put("ipv6-gateway", gw6.toCanonicalString());
            if (protocol != Manifest.DEFAULT_ROUTE_PROTOCOL) hostSection.put("route-protocol", protocol);
            // rveth's proxy entries say which link is the uplink; a manifest has at most one.
            List<String> uplinks = live.proxies().stream().filter(p -> p.netns().equals(host)).map(p -> p.dev()).distinct().sorted().toList();
            if (!uplinks.isEmpty()) hostSection.put("uplink", uplinks.get(0));
            if (uplinks.size() > 1) {
                notes.add("rveth's proxy entries sit on " + String.join(", ", uplinks) + "; a manifest names one uplink, so "
                        + uplinks.get(0) + " it is, and applying it removes the entries on the others");
            }
            if (!hostSection.isEmpty()) root.put("host", hostSection);

            Map<String, List<Veth>> byContainer = new TreeMap<>();
            for (Veth v : veths) byContainer.computeIfAbsent(v.container(), k -> new ArrayList<>()).add(v);
            Map<String, Object> containers = new LinkedHashMap<>();
            byContainer.forEach((name, pairs) -> containers.put(name, container(name, pairs, gw4, gw6)));
            root.put("containers", containers);
            return new Export(dump(root), notes, containers.size(), interfaceCount);
        }

        /**
         * The gateway of a family: the host-length address the host ends carry. Every host
         * end carries the same one; should they differ, the one most host ends carry wins,
         * then the one most containers route via, then the lowest; each other one is a note.
         */
        private IPAddress gateway(List<Veth> veths, Family family) {
            Map<Cidr, Integer> carried = new TreeMap<>();
            Map<IPAddress, Integer> usedVia = new HashMap<>();
            for (Veth v : veths) {
                for (Address a : addressesOf(host, v.host().name())) {
                    if (a.cidr().family() == family && a.cidr().length() == family.hostLength()) carried.merge(a.cidr(), 1, Integer::sum);
                }
                for (Route r : routesOf(v.peer().netns(), v.peer().name())) {
                    if (r.dst().isDefault() && r.dst().family() == family && r.via().isPresent()) {
                        usedVia.merge(r.via().get().withoutPrefixLength(), 1, Integer::sum);
                    }
                }
            }
            Optional<Cidr> best = carried.entrySet().stream()
                    .max(Comparator.comparingInt((Map.Entry<Cidr, Integer> e) -> e.getValue())
                            .thenComparingInt(e -> usedVia.getOrDefault(e.getKey().ip(), 0))
                            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                    .map(Map.Entry::getKey);
            return best.map(Cidr::ip).orElse(family == Family.V4 ? DEFAULT_IPV4_GATEWAY : DEFAULT_IPV6_GATEWAY);
        }

        private Map<String, Object> container(String name, List<Veth> pairs, IPAddress gw4, IPAddress gw6) {
            Map<String, Veth> byIfname = new TreeMap<>();
            for (Veth v : pairs) {
                String ifname = peerFound(v) ? v.peer().name() : v.ifname();
                Veth first = byIfname.putIfAbsent(ifname, v);
                if (first != null) {
                    notes.add(name + "/" + ifname + ": host ends " + first.host().name() + " and " + v.host().name()
                            + " both lead to an interface " + ifname + "; only " + first.host().name() + " is exported");
                }
            }
            Netns netns = byIfname.values().iterator().next().peer().netns();
            Map<String, Object> out = new LinkedHashMap<>();
            if (!netns.name().equals(name)) out.put("netns", netns.name());
            Map<String, Object> interfaces = new LinkedHashMap<>();
            byIfname.forEach((ifname, v) -> {
                if (!v.peer().netns().equals(netns)) {
                    notes.add(name + "/" + ifname + ": its peer is in netns " + v.peer().netns() + ", but " + name
                            + "'s other interfaces are in " + netns + "; a manifest puts a container in one netns");
                }
                interfaces.put(ifname, iface(name, ifname, v, byIfname.size(), gw4, gw6));
                interfaceCount++;
            });
            out.put("interfaces", interfaces);
            return out;
        }

        /** Live, a peer that was not found is named "?" and is down with nothing known. */
        private static boolean peerFound(Veth v) {
            Endpoint p = v.peer();
            return !(p.name().equals("?") && p.mtu().isEmpty() && p.mac().isEmpty() && !p.up());
        }

        private Map<String, Object> iface(String container, String ifname, Veth v, int siblings, IPAddress gw4, IPAddress gw6) {
            String where = container + "/" + ifname;
            boolean found = peerFound(v);
            Map<String, Object> out = new LinkedHashMap<>();
            String defaultHostName = "rv-" + container + (siblings > 1 ? "-" + ifname : "");
            if (!v.host().name().equals(defaultHostName)) out.put("host-name", v.host().name());
            mtu(where, v).ifPresent(m -> out.put("mtu", m));
            if (!found) {
                notes.add(where + ": the peer of " + v.host().name() + " was not found in netns " + v.peer().netns()
                        + "; its addresses and routes inside the container are not exported");
            }

            // The host end: the gateways (implied), host routes, and nothing else.
            for (Address a : addressesOf(host, v.host().name())) {
                IPAddress gw = a.cidr().family() == Family.V4 ? gw4 : gw6;
                if (!(a.cidr().ip().equals(gw) && a.cidr().length() == a.cidr().family().hostLength())) {
                    notes.add(where + ": address " + a.cidr() + " on host end " + v.host().name()
                            + " is not the gateway; a manifest cannot keep it");
                }
            }
            Map<Prefix, Route> hostRoutes = new TreeMap<>();
            for (Route r : routesOf(host, v.host().name())) {
                long metric = Route.defaultMetric(r.dst().family());
                if (r.metric() != metric) {
                    notes.add(where + ": host route " + r.dst() + " has metric " + r.metric()
                            + "; a manifest gives its routes the default metric " + metric);
                }
                hostRoutes.merge(r.dst(), r, (a, b) -> a.metric() == metric ? a : b);
            }

            // Addresses: plain when their auto-route is exactly one of the host routes.
            Set<Cidr> addresses = new TreeSet<>();
            if (found) for (Address a : addressesOf(v.peer().netns(), v.peer().name())) addresses.add(a.cidr());
            Set<Prefix> usedUp = new TreeSet<>();
            List<Object> addressItems = new ArrayList<>();
            for (Cidr c : addresses) {
                Prefix auto = c.network();
                Route r = hostRoutes.get(auto);
                boolean plain = r != null && r.via().isEmpty()
                        && hostRoutes.keySet().stream().noneMatch(p -> !p.equals(auto) && p.contains(auto));
                if (plain) {
                    usedUp.add(auto);
                    addressItems.add(c.toString());
                } else {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("address", c.toString());
                    item.put("route", false);
                    addressItems.add(item);
                }
            }
            List<Object> routeItems = new ArrayList<>();
            for (Route r : hostRoutes.values()) {
                if (usedUp.contains(r.dst())) continue;
                if (r.via().isEmpty()) {
                    routeItems.add(r.dst().toString());
                } else {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("to", r.dst().toString());
                    item.put("via", r.via().get().toCanonicalString());
                    routeItems.add(item);
                }
            }

            // Inside the container: only the gateway routes are rveth's to make.
            boolean gateway = false;
            if (found) {
                for (Route r : routesOf(v.peer().netns(), v.peer().name())) {
                    IPAddress gw = r.dst().family() == Family.V4 ? gw4 : gw6;
                    boolean viaGateway = r.via().isPresent() && r.via().get().withoutPrefixLength().equals(gw);
                    if (r.dst().isDefault() && viaGateway) {
                        gateway = true;
                    } else if (!(r.dst().equals(Prefix.host(gw)) && r.via().isEmpty())) {
                        notes.add(where + ": route " + r.dst() + r.via().map(x -> " via " + x.toCanonicalString()).orElse("")
                                + " inside the container is not a gateway route; a manifest cannot keep it");
                    }
                }
            }
            if (!gateway) out.put("gateway", false);
            if (!addressItems.isEmpty()) out.put("addresses", addressItems);
            if (!routeItems.isEmpty()) out.put("routes", routeItems);
            return out;
        }

        /** Both ends' MTU when they agree and it is not the default; a note when they differ. */
        private Optional<Integer> mtu(String where, Veth v) {
            OptionalInt h = v.host().mtu();
            OptionalInt p = v.peer().mtu();
            if (h.isPresent() && p.isPresent() && h.getAsInt() != p.getAsInt()) {
                notes.add(where + ": the host end has mtu " + h.getAsInt() + " and the peer " + p.getAsInt()
                        + "; a manifest sets one mtu for both, so none is exported");
                return Optional.empty();
            }
            OptionalInt m = h.isPresent() ? h : p;
            return m.isPresent() && m.getAsInt() != DEFAULT_MTU ? Optional.of(m.getAsInt()) : Optional.empty();
        }

        private String dump(Map<String, Object> root) {
            DumpSettings settings = DumpSettings.builder()
                    .setDefaultFlowStyle(FlowStyle.BLOCK)
                    .setIndent(2).setIndicatorIndent(2).setIndentWithIndicator(true)
                    .setSchema(new CoreSchema()) // as ManifestReader reads: quote what would not read back as text
                    .setSplitLines(false)
                    .setDumpComments(true)
                    .build();
            Node node = new StandardRepresenter(settings).represent(root);
            String from = host.isCurrent() ? "the current netns" : "host netns " + host.name();
            List<CommentLine> header = new ArrayList<>(List.of(
                    comment("Exported by \"rveth export\" from " + from + " (route protocol " + protocol + ")."),
                    comment("Applying it there should plan no changes; rveth export warns about what it cannot express."),
                    comment("Not exported: mac and create-netns; add them by hand if you need them.")));
            if (!notes.isEmpty()) {
                header.add(comment(notes.size() + (notes.size() == 1 ? " thing was" : " things were")
                        + " left out or changed; see the warnings of rveth export."));
            }
            node.setBlockComments(header);
            Output out = new Output();
            new Dump(settings).dumpNode(node, out);
            return out.toString();
        }

        private static CommentLine comment(String text) {
            return new CommentLine(Optional.empty(), Optional.empty(), " " + text, CommentType.BLOCK);
        }
    }

    /** Collects the emitter's output. */
    private static final class Output extends StringWriter implements StreamDataWriter {
        @Override
        public void flush() {
            // nothing buffered
        }
    }
}
