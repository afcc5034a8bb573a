package io.rveth.live;

import com.fasterxml.jackson.databind.JsonNode;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.rveth.model.IpText;
import io.rveth.model.Address;
import io.rveth.model.Cidr;
import io.rveth.model.Endpoint;
import io.rveth.model.Family;
import io.rveth.model.Namespace;
import io.rveth.model.Netns;
import io.rveth.model.PolicyRule;
import io.rveth.model.Prefix;
import io.rveth.model.ProxyNeighbour;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns what {@code ip -N -j} printed into live {@link State}: only what rveth owns, plus
 * the names of every other link. Pure: the same dumps always give the same state, and
 * output of an unexpected shape is an {@link IpOutputException}, never an empty result.
 *
 * <p>Ownership: a host end is rveth's when its alias starts with {@value Veth#ALIAS_PREFIX};
 * its peer is found by ifindex in the namespace the host end's {@code link_netnsid} names.
 * On those links rveth owns every address except the kernel's IPv6 link-local ones, and
 * every main-table unicast route tagged with its protocol number.
 */
public final class LiveParser {
    /** {@code ip} prints no "protocol" for boot (3), the default of {@code ip route add}. */
    private static final int RTPROT_BOOT = 3;
    private static final int RT_TABLE_MAIN = 254;

    private final Netns hostNetns;
    private final int protocol;
    private final Set<String> adoptable;
    private final Map<String, Endpoint> expectedPeers;
    private final Optional<String> uplink;
    /**
     * One instance per distinct device name and gateway in a parse: every route of a link
     * names its device, and most routes share one of two gateways, so a large host would
     * otherwise hold tens of thousands of copies of each.
     */
    private final Map<String, String> names = new java.util.HashMap<>();
    private final Map<String, IPAddress> gateways = new java.util.HashMap<>();

    public LiveParser(Netns hostNetns, int protocol) {
        this(hostNetns, protocol, Set.of());
    }

    /**
     * @param adoptable host-side veth names to treat as rveth's even without its alias
     *                  ({@code --adopt}): what is on them then counts as owned, and the
     *                  plan marks them with the alias
     */
    public LiveParser(Netns hostNetns, int protocol, Set<String> adoptable) {
        this(hostNetns, protocol, adoptable, Map.of());
    }

    /**
     * @param expectedPeers the desired peer of each desired host end, by host-end name: a
     *                      bare veth pair that matches one exactly (name, peer netns, peer
     *                      name, no addresses on either end) is rveth's own, left without its
     *                      alias by a run that died between creating the pair and marking it
     */
    public LiveParser(Netns hostNetns, int protocol, Set<String> adoptable, Map<String, Endpoint> expectedPeers) {
        this(hostNetns, protocol, adoptable, expectedPeers, Optional.empty());
    }

    /** @param uplink the manifest's host.uplink, whose forwarding and proxy_ndp settings are read */
    public LiveParser(Netns hostNetns, int protocol, Set<String> adoptable, Map<String, Endpoint> expectedPeers,
                      Optional<String> uplink) {
        this.hostNetns = hostNetns;
        this.protocol = protocol;
        this.adoptable = Set.copyOf(adoptable);
        this.expectedPeers = Map.copyOf(expectedPeers);
        this.uplink = uplink;
    }

    /**
     * @param existing   named netns that exist on the machine
     * @param host       the host netns dump, or null when that netns does not exist yet
     * @param containers dumps of container namespaces, each read from an existing netns
     */
    public State parse(Set<Netns> existing, NamespaceDump host, List<NamespaceDump> containers) {
        Map<Netns, Namespace> namespaces = new TreeMap<>();
        for (Netns ns : existing) namespaces.put(ns, new Namespace(ns, false));
        List<Veth> veths = new ArrayList<>();
        List<Address> addresses = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        List<Sysctl> sysctls = new ArrayList<>();
        Map<Netns, Set<String>> foreign = new TreeMap<>();
        if (host == null) return new State(namespaces, veths, addresses, routes, sysctls, foreign);

        Map<Integer, Netns> nsids = nsids(host);
        List<Link> hostLinks = links(host);
        Map<Netns, List<Link>> containerLinks = new HashMap<>();
        for (NamespaceDump d : containers) containerLinks.put(d.netns(), links(d));
        Map<Long, List<Netns>> byPair = new HashMap<>();
        containerLinks.forEach((ns, links) -> {
            for (Link c : links) if (c.peerIndex != null) byPair.computeIfAbsent(pair(c.index, c.peerIndex), k -> new ArrayList<>(1)).add(ns);
        });
        Map<String, Link> ownedHostEnds = new HashMap<>();
        Set<String> hostForeign = new TreeSet<>();
        for (Link l : hostLinks) {
            boolean adoptedVeth = adoptable.contains(l.name) && l.peerIndex != null && l.netnsid != null;
            if (Veth.isOwnedAlias(l.alias) || adoptedVeth || leftByACrash(l, nsids, byPair, containerLinks)) ownedHostEnds.put(l.name, l);
            else hostForeign.add(l.name);
            if (l.name.equals("lo") && !hostNetns.isCurrent()) namespaces.put(hostNetns, new Namespace(hostNetns, l.up));
        }
        foreign.put(hostNetns, hostForeign);
        List<Route> foreignRoutes = new ArrayList<>();
        List<Address> foreignAddresses = new ArrayList<>();
        for (Link l : hostLinks) {
            (ownedHostEnds.containsKey(l.name) ? addresses : foreignAddresses).addAll(l.addresses());
        }
        routes(host, ownedHostEnds.keySet(), routes, foreignRoutes);
        sysctls.addAll(sysctls(host, ownedHostEnds.keySet()));

        // Peers: where each owned host end points, then the link found there.
        Map<Netns, NamespaceDump> dumps = new HashMap<>();
        for (NamespaceDump d : containers) dumps.put(d.netns(), d);
        containerLinks.forEach((ns, links) -> links.stream().filter(l -> l.name.equals("lo")).findFirst()
                .ifPresent(lo -> namespaces.put(ns, new Namespace(ns, lo.up))));
        Map<Netns, Set<String>> peerNames = new HashMap<>();
        for (Link h : ownedHostEnds.values().stream().sorted((a, b) -> a.name.compareTo(b.name)).toList()) {
            Netns peerNetns = h.netnsid == null ? hostNetns : peerNetns(h, nsids, byPair);
            Link peer = null;
            List<Link> candidates = containerLinks.get(peerNetns);
            if (candidates != null && h.peerIndex != null) {
                peer = candidates.stream()
                        .filter(c -> c.index == h.peerIndex && (c.peerIndex == null || c.peerIndex == h.index))
                        .findFirst().orElse(null);
            }
            Endpoint hostEnd = new Endpoint(hostNetns, h.name, OptionalInt.of(h.mtu), Optional.of(h.mac), h.up);
            Endpoint peerEnd = peer == null
                    ? new Endpoint(peerNetns, "?", OptionalInt.empty(), Optional.empty(), false)
                    : new Endpoint(peerNetns, peer.name, OptionalInt.of(peer.mtu), Optional.of(peer.mac), peer.up);
            veths.add(new Veth(hostEnd, peerEnd, h.alias == null ? "" : h.alias));
            if (peer != null) peerNames.computeIfAbsent(peerNetns, k -> new TreeSet<>()).add(peer.name);
        }
        for (Map.Entry<Netns, List<Link>> e : new TreeMap<>(containerLinks).entrySet()) {
            Netns ns = e.getKey();
            Set<String> mine = peerNames.getOrDefault(ns, Set.of());
            Set<String> names = new TreeSet<>();
            for (Link l : e.getValue()) {
                if (!mine.contains(l.name)) names.add(l.name);
                (mine.contains(l.name) ? addresses : foreignAddresses).addAll(l.addresses());
            }
            foreign.put(ns, names);
            routes(dumps.get(ns), mine, routes, foreignRoutes);
        }
        List<ProxyNeighbour> proxies = new ArrayList<>();
        List<ProxyNeighbour> foreignProxies = new ArrayList<>();
        for (ProxyNeighbour p : proxies(host)) (p.protocol() == protocol ? proxies : foreignProxies).add(p);
        return new State(namespaces, veths, addresses, routes, sysctls, foreign, foreignRoutes, foreignAddresses,
                rules(host), proxies, foreignProxies);
    }

    /**
     * Where a host end's peer lives. The nsid table says, but the kernel answers "netns
     * list-id" with its first netlink message only (about a thousand ids), so past that
     * the peer is found by its ifindex pair among the namespaces read: the peer's index is
     * the host end's link_index and its link_index is the host end's index.
     */
    private static Netns peerNetns(Link h, Map<Integer, Netns> nsids, Map<Long, List<Netns>> byPair) {
        Netns named = nsids.get(h.netnsid);
        if (named != null) return named;
        List<Netns> matches = h.peerIndex == null ? List.of() : byPair.getOrDefault(pair(h.peerIndex, h.index), List.of());
        return matches.size() == 1 ? matches.get(0) : new Netns("<unnamed netns, nsid " + h.netnsid + ">");
    }

    /**
     * The key of a link by its own ifindex and its peer's, to find a peer without a scan of
     * every namespace's links per host end: at 5000 containers that scan was 50 million
     * comparisons, the largest part of parsing.
     */
    private static long pair(int index, int peerIndex) {
        return (long) index << 32 | (peerIndex & 0xffffffffL);
    }

    /** See {@link #LiveParser(Netns, int, Set, Map)}: the exact, bare pair rveth was making. */
    private boolean leftByACrash(Link l, Map<Integer, Netns> nsids, Map<Long, List<Netns>> byPair,
                                 Map<Netns, List<Link>> containerLinks) {
        Endpoint want = expectedPeers.get(l.name);
        if (want == null || l.alias != null || l.peerIndex == null || l.netnsid == null) return false;
        if (!want.netns().equals(peerNetns(l, nsids, byPair)) || !l.addresses().isEmpty()) return false;
        return containerLinks.getOrDefault(want.netns(), List.of()).stream()
                .anyMatch(p -> p.index == l.peerIndex && p.name.equals(want.name()) && p.addresses().isEmpty());
    }

    // ---- links and addresses -------------------------------------------------------------

    /** One entry of {@code ip -j addr show}, which carries the link and its addresses. */
    private record Link(int index, String name, boolean up, int mtu, String mac, String alias,
                        Integer peerIndex, Integer netnsid, List<Address> addresses) {
    }

    /**
     * The links of one dump, with their addresses parsed: nothing here refers to the JSON
     * tree, so the tree can go as soon as this returns ({@link NamespaceDump}).
     */
    private List<Link> links(NamespaceDump dump) {
        Map<Integer, String> aliases = new HashMap<>();
        if (dump.has(NamespaceDump.Doc.LINKS)) {
            for (JsonNode n : dump.list(NamespaceDump.Doc.LINKS, "link show")) {
                if (n.hasNonNull("ifalias")) aliases.put(integer(n, "ifindex", "link show in " + dump.netns()), n.get("ifalias").asText());
            }
        }
        List<Link> links = new ArrayList<>();
        for (JsonNode n : dump.list(NamespaceDump.Doc.ADDRESSES, "addr show")) {
            String where = "addr show in " + dump.netns();
            int index = integer(n, "ifindex", where);
            String name = shared(linkName(text(n, "ifname", where), where));
            boolean up = false;
            for (JsonNode f : n.path("flags")) up |= f.asText().equals("UP");
            links.add(new Link(index, name, up, integer(n, "mtu", where), n.path("address").asText(""),
                    aliases.get(index),
                    n.has("link_index") ? integer(n, "link_index", where) : null,
                    n.has("link_netnsid") ? integer(n, "link_netnsid", where) : null,
                    addressesOf(dump.netns(), name, n.path("addr_info"))));
        }
        return links;
    }

    /** A link's addresses, less the kernel's own IPv6 link-local ones. */
    private static List<Address> addressesOf(Netns netns, String linkName, JsonNode addrInfo) {
        List<Address> out = new ArrayList<>();
        for (JsonNode a : addrInfo) {
            String family = a.path("family").asText();
            if (!family.equals("inet") && !family.equals("inet6")) continue;
            String where = "address of " + linkName + " in " + netns;
            IPAddress ip = ip(text(a, "local", where), where);
            int length = integer(a, "prefixlen", where);
            if (length < 0 || length > ip.getBitCount()) {
                throw new IpOutputException(where + ": prefix length " + length + " is out of range for " + ip);
            }
            // The kernel makes an fe80::/64 address on every link; it is not rveth's.
            if (ip.isIPv6() && ip.isLinkLocal() && length == 64) continue;
            out.add(new Address(netns, linkName, new Cidr(ip, length)));
        }
        return out;
    }

    // ---- routes ------------------------------------------------------------------------------

    /**
     * Splits the main table of one namespace: routes with rveth's protocol on its links go to
     * {@code owned}; every other main-table route (other protocols, other links, routes with
     * no device such as multipath or blackhole) goes to {@code foreign}.
     */
    private void routes(NamespaceDump dump, Set<String> ownedDevs, List<Route> owned, List<Route> foreign) {
        String where = "route show in " + dump.netns();
        for (JsonNode r : dump.list(NamespaceDump.Doc.ROUTES, "route show")) {
            if (number(r, "table", RT_TABLE_MAIN, where) != RT_TABLE_MAIN) continue;
            String dev = r.has("dev") ? shared(r.get("dev").asText()) : "";
            long proto = number(r, "protocol", RTPROT_BOOT, where);
            Optional<IPAddress> via = r.hasNonNull("gateway") ? Optional.of(gateway(r.get("gateway").asText(), where)) : Optional.empty();
            Prefix dst = destination(r, via, where);
            boolean onlink = false;
            for (JsonNode f : r.path("flags")) onlink |= f.asText().equals("onlink");
            long metric = number(r, "metric", 0, where);
            // rveth never makes nexthop objects: a route through one ("nhid") is someone else's design.
            boolean unicast = (!r.has("type") || r.get("type").asText().equals("1") || r.get("type").asText().equals("unicast"))
                    && !r.has("nhid");
            Route route = new Route(dump.netns(), dst, dev, via, onlink, (int) proto, metric);
            if (unicast && proto == protocol && ownedDevs.contains(dev)) owned.add(route);
            else foreign.add(route);
        }
    }

    /**
     * {@code ip} prints a /32 or /128 without its length and the whole space as "default",
     * which names no family: the gateway's family decides, else IPv6 routes carry "pref".
     */
    private static Prefix destination(JsonNode r, Optional<IPAddress> via, String where) {
        String dst = text(r, "dst", where);
        if (dst.equals("default")) {
            Family family = via.map(v -> v.isIPv4() ? Family.V4 : Family.V6)
                    .orElse(r.has("pref") ? Family.V6 : Family.V4);
            return Prefix.any(family);
        }
        if (dst.isBlank()) throw new IpOutputException(where + ": route destination is empty in " + r);
        try {
            return Prefix.parse(dst);
        } catch (IllegalArgumentException e) {
            throw new IpOutputException(where + ": route destination \"" + dst + "\" is not a prefix");
        }
    }

    // ---- IPv6 policy rules -------------------------------------------------------------------

    /** rveth's rules: its protocol, an input interface, and a main-table lookup or a blackhole. */
    private List<PolicyRule> rules(NamespaceDump dump) {
        List<PolicyRule> out = new ArrayList<>();
        String where = "ip -6 rule show in " + dump.netns();
        if (!dump.has(NamespaceDump.Doc.RULES)) return out;
        for (JsonNode r : dump.list(NamespaceDump.Doc.RULES, "-6 rule show")) {
            if (number(r, "protocol", 0, where) != protocol || !r.has("iif")) continue;
            String iif = shared(linkName(text(r, "iif", where), where));
            if (!r.has("priority")) throw new IpOutputException(where + ": a rule without \"priority\": " + r);
            String action = r.path("action").asText("");
            boolean blackhole = action.equals("6") || action.equals("blackhole");
            boolean main = r.has("table") && number(r, "table", 0, where) == RT_TABLE_MAIN;
            if (!blackhole && !main) continue;
            String src = text(r, "src", where);
            Prefix from;
            if (src.equals("all")) {
                from = Prefix.any(Family.V6);
            } else {
                IPAddress ip = ip(src, where);
                if (!ip.isIPv6()) throw new IpOutputException(where + ": \"" + src + "\" is not IPv6");
                int length = r.has("srclen") ? integer(r, "srclen", where) : ip.getBitCount();
                try {
                    from = new Prefix(ip.setPrefixLength(length, false).toPrefixBlock());
                } catch (RuntimeException e) {
                    throw new IpOutputException(where + ": \"" + src + "/" + length + "\" is not a prefix");
                }
            }
            out.add(new PolicyRule(dump.netns(), number(r, "priority", 0, where), iif, from, blackhole, protocol));
        }
        return out;
    }

    /** Proxy neighbour entries ({@code neigh show proxy}); protocol 0 when ip prints none. */
    private List<ProxyNeighbour> proxies(NamespaceDump dump) {
        List<ProxyNeighbour> out = new ArrayList<>();
        String where = "ip neigh show proxy in " + dump.netns();
        if (!dump.has(NamespaceDump.Doc.PROXIES)) return out;
        for (JsonNode n : dump.list(NamespaceDump.Doc.PROXIES, "neigh show proxy")) {
            if (!n.has("proxy")) throw new IpOutputException(where + ": an entry without \"proxy\": " + n);
            long proto = number(n, "protocol", 0, where);
            if (proto > 255) throw new IpOutputException(where + ": \"protocol\" " + proto + " is not a protocol number");
            out.add(new ProxyNeighbour(dump.netns(), shared(linkName(text(n, "dev", where), where)),
                    IpText.compact(ip(text(n, "dst", where), where)), (int) proto));
        }
        return out;
    }

    // ---- sysctls and namespace ids -----------------------------------------------------------

    private List<Sysctl> sysctls(NamespaceDump dump, Set<String> ownedDevs) {
        List<Sysctl> out = new ArrayList<>();
        String where = "netconf show in " + dump.netns();
        for (JsonNode n : dump.list(NamespaceDump.Doc.NETCONF, "netconf show")) {
            String family = text(n, "family", where);
            String dev = text(n, "interface", where);
            String ipv = family.equals("inet") ? "ipv4" : family.equals("inet6") ? "ipv6" : null;
            if (ipv == null) continue;
            if (dev.equals("all") && n.has("forwarding")) {
                if (!n.get("forwarding").isBoolean()) {
                    throw new IpOutputException(where + ": \"forwarding\" is " + n.get("forwarding") + ", expected true or false");
                }
                out.add(new Sysctl(hostNetns, "net." + ipv + ".conf.all.forwarding", n.get("forwarding").asBoolean() ? "1" : "0"));
            }
            // The uplink answers for proxy entries only where it forwards (and, for IPv6, with proxy_ndp).
            if (uplink.filter(dev::equals).isPresent()) {
                if (n.has("forwarding")) out.add(new Sysctl(hostNetns, "net." + ipv + ".conf." + dev + ".forwarding", flag(n, "forwarding", where)));
                if (ipv.equals("ipv6") && n.has("proxy_neigh")) {
                    out.add(new Sysctl(hostNetns, "net.ipv6.conf." + dev + ".proxy_ndp", flag(n, "proxy_neigh", where)));
                }
            }
            if (ipv.equals("ipv4") && ownedDevs.contains(dev) && n.has("rp_filter")) {
                String mode = n.get("rp_filter").asText();
                String value = switch (mode) {
                    case "off", "0" -> "0";
                    case "strict", "1" -> "1";
                    case "loose", "2" -> "2";
                    default -> throw new IpOutputException(where + ": unknown rp_filter mode \"" + mode + "\"");
                };
                out.add(new Sysctl(hostNetns, "net.ipv4.conf." + dev + ".rp_filter", value));
            }
        }
        return out;
    }

    private Map<Integer, Netns> nsids(NamespaceDump dump) {
        Map<Integer, Netns> out = new HashMap<>();
        for (JsonNode n : dump.list(NamespaceDump.Doc.NSIDS, "netns list-id")) {
            if (!n.hasNonNull("name")) continue;
            String name = text(n, "name", "netns list-id");
            if (name.isEmpty() || name.contains("/")) throw new IpOutputException("netns list-id: \"" + name + "\" is not a netns name");
            out.put(integer(n, "nsid", "netns list-id"), new Netns(name));
        }
        return out;
    }

    // ---- strict field access -----------------------------------------------------------------

    /** A link name as the kernel allows them: 1-15 bytes, no '/', ':' or blanks. Anything else is not ip's output. */
    private static String linkName(String name, String where) {
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > 15 || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw new IpOutputException(where + ": \"" + io.rveth.model.Names.printable(name) + "\" is not a link name the kernel allows");
        }
        return name;
    }

    /** A netconf boolean as the sysctl value: "1" or "0". */
    private static String flag(JsonNode n, String field, String where) {
        if (!n.get(field).isBoolean()) throw new IpOutputException(where + ": \"" + field + "\" is " + n.get(field) + ", expected true or false");
        return n.get(field).asBoolean() ? "1" : "0";
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isValueNode() || v.isNull()) throw new IpOutputException(where + ": \"" + field + "\" is missing in " + n);
        return v.asText();
    }

    private static int integer(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IpOutputException(where + ": \"" + field + "\" is not a number in " + n);
        }
        return v.intValue();
    }

    /**
     * A kernel u32 (table, protocol, metric) that {@code ip -N} prints as a number or a
     * string, absent meaning {@code absent}.
     */
    private static long number(JsonNode n, String field, long absent, String where) {
        JsonNode v = n.get(field);
        if (v == null) return absent;
        try {
            long value = v.isIntegralNumber() ? v.longValue() : Long.parseLong(v.asText());
            if (value < 0 || value > 0xffff_ffffL || v.isIntegralNumber() && !v.canConvertToLong()) throw new NumberFormatException();
            return value;
        } catch (NumberFormatException e) {
            throw new IpOutputException(where + ": \"" + field + "\" is \"" + v.asText()
                    + "\", expected a number (rveth runs ip with -N)");
        }
    }

    /** This parse's one instance of a device name. */
    private String shared(String name) {
        return names.computeIfAbsent(name, n -> n);
    }

    /** This parse's one instance of a gateway, compact (an unreadable one throws and is not kept). */
    private IPAddress gateway(String text, String where) {
        return gateways.computeIfAbsent(text, t -> IpText.compact(ip(t, where)));
    }

    private static IPAddress ip(String text, String where) {
        // The library reads "" as loopback; ip never prints an empty address.
        IPAddress ip = text.isBlank() ? null : new IPAddressString(text, IpText.STRICT).getAddress();
        if (ip == null || ip.isPrefixed()) throw new IpOutputException(where + ": \"" + text + "\" is not an IP address");
        return ip;
    }
}
