package io.rveth.manifest;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.rveth.model.IpText;
import io.rveth.model.Cidr;
import io.rveth.model.Family;
import io.rveth.model.Names;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a manifest: YAML syntax, keys, types and the shape of each value, with every
 * problem reported at once and pointing at its line. Rules that relate elements to each
 * other (overlaps, coverage, uniqueness) are {@link ManifestValidator}'s.
 */
public final class ManifestReader {
    /** Manifests are hand-written; anything larger than this is a mistake, not a host. */
    static final int MAX_CODE_POINTS = 16 * 1024 * 1024;
    /** Anchors are fine for sharing a block; more aliases than this is an alias bomb. */
    static final int MAX_ALIASES = 100;

    private static final Set<String> TOP_KEYS = Set.of("version", "host", "containers");
    private static final Set<String> HOST_KEYS =
            Set.of("netns", "create-netns", "ipv4-gateway", "ipv6-gateway", "route-protocol", "uplink");
    private static final Set<String> CONTAINER_KEYS = Set.of("netns", "create-netns", "interfaces");
    private static final Set<String> INTERFACE_KEYS =
            Set.of("host-name", "mtu", "mac", "gateway", "addresses", "routes");
    private static final Set<String> ADDRESS_KEYS = Set.of("address", "route", "route-as");
    private static final Set<String> ROUTE_KEYS = Set.of("to", "via");

    private final String file;
    private final List<Problem> problems = new ArrayList<>();

    private ManifestReader(String file) {
        this.file = file;
    }

    /** One source of manifest text: a file, or standard input. */
    public record Input(String label, String text) {
        /** Reads a file, refusing anything that is not UTF-8. */
        public static Input of(Path path) throws IOException, ManifestException {
            return decode(path.toString(), Files.readAllBytes(path));
        }

        public static Input decode(String label, byte[] bytes) throws ManifestException {
            try {
                return new Input(label, StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                throw new ManifestException(List.of(new Problem(new Location(label, 1, 1),
                        "the file is not UTF-8 text; save it as UTF-8")));
            }
        }
    }

    /** Reads and checks a manifest file. */
    public static Manifest read(Path path) throws ManifestException, IOException {
        return load(List.of(Input.of(path)));
    }

    /** Parses and checks manifest text; {@code label} is how messages name it. */
    public static Manifest parse(String label, String text) throws ManifestException {
        return load(List.of(new Input(label, text)));
    }

    /**
     * Reads several inputs as one desired state, as {@code kubectl -f} does: containers from
     * every file, one host section (files that give one must agree), a container defined
     * once. The cross-checks of {@link ManifestValidator} then run on the whole, so an
     * overlap between two files names both. Every problem is reported at once.
     */
    public static Manifest load(List<Input> inputs) throws ManifestException {
        List<Problem> all = new ArrayList<>();
        List<Manifest> parts = new ArrayList<>();
        for (Input in : inputs) {
            if (in.text().length() > MAX_CODE_POINTS) {
                // Checked up front: the YAML scanner would take minutes to get there.
                all.add(new Problem(new Location(in.label(), 1, 1), "the file has " + in.text().length() / (1024 * 1024)
                        + " MiB of text; rveth reads manifests of up to " + MAX_CODE_POINTS / (1024 * 1024)
                        + " MiB (split it into several files, each given with -f)"));
                continue;
            }
            ManifestReader reader = new ManifestReader(in.label());
            Manifest m = reader.readText(in.text());
            all.addAll(reader.problems);
            if (m != null) parts.add(m);
        }
        // Cross-checks run on whatever parsed, so one run reports every problem.
        if (!parts.isEmpty()) {
            Manifest merged = merge(parts, all);
            all.addAll(ManifestValidator.validate(merged));
            if (all.isEmpty()) return merged;
        }
        if (all.isEmpty()) all.add(new Problem(new Location("-f", 1, 1), "no manifest was given"));
        throw new ManifestException(all);
    }

    private static Manifest merge(List<Manifest> parts, List<Problem> problems) {
        if (parts.size() == 1) return parts.get(0);
        Manifest withHost = null;
        Map<String, Manifest.Container> containers = new LinkedHashMap<>();
        for (Manifest m : parts) {
            if (m.hostAt() != null) {
                if (withHost == null) {
                    withHost = m;
                } else if (!withHost.host().equals(m.host())) {
                    problems.add(new Problem(m.hostAt(), "this host section differs from the one at "
                            + withHost.hostAt().ref(m.hostAt()) + "; define host once, or identically"));
                }
            }
            for (Manifest.Container c : m.containers()) {
                Manifest.Container first = containers.putIfAbsent(c.name(), c);
                if (first != null) {
                    problems.add(new Problem(c.at(), "container " + c.name() + " is already defined at "
                            + first.at().ref(c.at()) + "; define each container once"));
                }
            }
        }
        Manifest base = withHost != null ? withHost : parts.get(0);
        String files = String.join(", ", parts.stream().map(Manifest::file).toList());
        return new Manifest(files, base.host(), List.copyOf(containers.values()), base.hostAt());
    }

    private Manifest readText(String text) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setCodePointLimit(MAX_CODE_POINTS)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setAllowRecursiveKeys(false)
                .setAllowDuplicateKeys(true) // reported below, with both lines
                .build();
        List<Node> documents = new ArrayList<>();
        try {
            new Compose(settings).composeAllFromString(text).forEach(documents::add);
        } catch (MarkedYamlEngineException e) {
            Location at = e.getProblemMark().or(e::getContextMark).map(this::at).orElse(new Location(file, 1, 1));
            problems.add(new Problem(at, "YAML syntax: " + firstLine(e.getProblem())
                    + (e.getContext() == null ? "" : " (" + firstLine(e.getContext()) + ")")));
            return null;
        } catch (YamlEngineException e) {
            problems.add(new Problem(new Location(file, 1, 1), "YAML: " + firstLine(e.getMessage())));
            return null;
        } catch (StackOverflowError e) {
            problems.add(new Problem(new Location(file, 1, 1), "YAML nesting is too deep"));
            return null;
        }
        if (documents.isEmpty()) {
            problems.add(new Problem(new Location(file, 1, 1), "the manifest is empty; it needs at least \"version: 1\""));
            return null;
        }
        if (documents.size() > 1) {
            problems.add(new Problem(separatorBefore(text, at(documents.get(1))),
                    "one YAML document per manifest file; remove the second \"---\" or split the file"));
            return null;
        }
        return manifest(documents.get(0));
    }

    private Manifest manifest(Node root) {
        Fields top = fields(root, "the manifest", TOP_KEYS);
        if (top == null) return null;
        Node versionNode = top.required("version", "add \"version: 1\" at the top");
        if (versionNode != null) {
            integer(versionNode, "version").ifPresent(v -> {
                if (v != 1) problems.add(new Problem(at(versionNode),
                        "version " + v + " is not supported; this rveth reads version 1"));
            });
        }
        Manifest.Host host = host(top.get("host"));
        Location hostAt = top.entries.containsKey("host") ? top.entries.get("host").keyAt : null;
        List<Manifest.Container> containers = new ArrayList<>();
        Node containersNode = top.get("containers");
        if (containersNode != null && !isNull(containersNode)) {
            Fields byName = fields(containersNode, "containers", null);
            if (byName != null) {
                byName.entries.forEach((name, entry) -> {
                    Manifest.Container c = container(name, entry);
                    if (c != null) containers.add(c);
                });
            }
        }
        return new Manifest(file, host, containers, hostAt);
    }

    private Manifest.Host host(Node node) {
        Netns netns = Netns.CURRENT;
        boolean create = false;
        IPAddress gw4 = new IPAddressString("169.254.0.1", IpText.STRICT).getAddress();
        IPAddress gw6 = new IPAddressString("fe80::1", IpText.STRICT).getAddress();
        int protocol = Manifest.DEFAULT_ROUTE_PROTOCOL;
        if (node == null || isNull(node)) return new Manifest.Host(netns, create, gw4, gw6, protocol);
        Fields f = fields(node, "host", HOST_KEYS);
        if (f == null) return new Manifest.Host(netns, create, gw4, gw6, protocol);
        Node n = f.get("netns");
        if (n != null) netns = name(n, "host.netns").map(Netns::new).orElse(netns);
        if (f.get("create-netns") != null) create = bool(f.get("create-netns"), "host.create-netns").orElse(false);
        if (create && netns.isCurrent()) {
            problems.add(new Problem(at(f.get("create-netns")),
                    "host.create-netns needs host.netns: name the namespace to create"));
        }
        if (f.get("ipv4-gateway") != null) gw4 = gateway(f.get("ipv4-gateway"), Family.V4).orElse(gw4);
        if (f.get("ipv6-gateway") != null) gw6 = gateway(f.get("ipv6-gateway"), Family.V6).orElse(gw6);
        Node p = f.get("route-protocol");
        if (p != null) {
            protocol = integer(p, "host.route-protocol").orElse(protocol);
            if (protocol < 5 || protocol > 255) {
                problems.add(new Problem(at(p), "host.route-protocol must be 5..255: 0-4 belong to the kernel "
                        + "(unspec, redirect, kernel, boot, static); pick an unused number such as "
                        + Manifest.DEFAULT_ROUTE_PROTOCOL));
                protocol = Manifest.DEFAULT_ROUTE_PROTOCOL;
            }
        }
        Optional<String> uplink = Optional.empty();
        Node u = f.get("uplink");
        if (u != null && !isNull(u)) {
            Optional<String> given = string(u, "host.uplink");
            uplink = given;
            Optional<String> bad = given.flatMap(Names::ifnameProblem)
                    .or(() -> given.filter("lo"::equals).map(x -> "lo is the loopback; name the host's link to its LAN"));
            if (bad.isPresent()) {
                problems.add(new Problem(at(u), "host.uplink: " + bad.get()));
                uplink = Optional.empty();
            }
        }
        return new Manifest.Host(netns, create, gw4, gw6, protocol, uplink);
    }

    private Optional<IPAddress> gateway(Node node, Family family) {
        String key = family == Family.V4 ? "host.ipv4-gateway" : "host.ipv6-gateway";
        Optional<String> text = string(node, key);
        if (text.isEmpty()) return Optional.empty();
        IPAddress ip = text.get().isBlank() ? null : new IPAddressString(text.get(), IpText.STRICT).getAddress();
        if (ip == null || ip.isPrefixed() || (family == Family.V4) != ip.isIPv4()) {
            problems.add(new Problem(at(node), key + ": \"" + Names.printable(text.get()) + "\" is not an "
                    + family.label() + " address (write it without a prefix length)"));
            return Optional.empty();
        }
        if (ip.isUnspecified() || ip.isLoopback() || ip.isMulticast()
                || family == Family.V4 && ip.toCanonicalString().equals("255.255.255.255")) {
            problems.add(new Problem(at(node), key + ": " + ip.toCanonicalString()
                    + " cannot be a next hop (unspecified, loopback, multicast or broadcast); the default is "
                    + (family == Family.V4 ? "169.254.0.1" : "fe80::1")));
            return Optional.empty();
        }
        return Optional.of(ip);
    }

    private Manifest.Container container(String name, Entry entry) {
        String where = "containers." + Names.printable(name);
        Optional<String> nameProblem = Names.netnsProblem(name);
        nameProblem.ifPresent(p -> problems.add(new Problem(entry.keyAt, "container " + p)));
        Fields f = isNull(entry.value) ? null : fields(entry.value, where, CONTAINER_KEYS);
        if (f == null) {
            if (isNull(entry.value)) {
                problems.add(new Problem(entry.keyAt, where + " is empty; add its \"interfaces:\" (or write {} for a netns with no interfaces yet)"));
            }
            return null;
        }
        Netns netns = new Netns(name);
        if (f.get("netns") != null) netns = name(f.get("netns"), where + ".netns").map(Netns::new).orElse(netns);
        boolean create = f.get("create-netns") != null && bool(f.get("create-netns"), where + ".create-netns").orElse(false);
        List<Manifest.Interface> interfaces = new ArrayList<>();
        Node ifs = f.get("interfaces");
        // No interfaces is allowed: the netns is kept (and created, if asked), nothing else.
        Fields byName = ifs == null || isNull(ifs) ? null : fields(ifs, where + ".interfaces", null);
        if (byName != null) {
            int count = byName.entries.size();
            byName.entries.forEach((ifname, e) -> {
                Manifest.Interface i = iface(name, ifname, e, count);
                if (i != null) interfaces.add(i);
            });
        }
        return new Manifest.Container(name, netns, create, interfaces, entry.keyAt);
    }

    private Manifest.Interface iface(String container, String ifname, Entry entry, int siblings) {
        String where = "containers." + Names.printable(container) + ".interfaces." + Names.printable(ifname);
        Optional<String> badName = Names.ifnameProblem(ifname);
        badName.ifPresent(p -> problems.add(new Problem(entry.keyAt, where + ": " + p)));
        Fields f = isNull(entry.value) ? null : fields(entry.value, where, INTERFACE_KEYS);
        if (f == null && !isNull(entry.value)) return null;
        Node hostNameNode = f == null ? null : f.get("host-name");
        String hostName;
        Location hostNameAt = entry.keyAt;
        if (hostNameNode != null) {
            hostNameAt = at(hostNameNode);
            Optional<String> given = string(hostNameNode, where + ".host-name");
            hostName = given.orElse("");
            given.flatMap(Names::ifnameProblem)
                    .ifPresent(p -> problems.add(new Problem(at(hostNameNode), where + ".host-name: " + p)));
        } else {
            hostName = "rv-" + container + (siblings > 1 ? "-" + ifname : "");
            // A bad container or interface name is reported once, as itself.
            boolean partsValid = badName.isEmpty() && Names.netnsProblem(container).isEmpty();
            Optional<String> p = Names.ifnameProblem(hostName);
            if (partsValid && p.isPresent()) {
                problems.add(new Problem(entry.keyAt, where + ": the default host-name \"" + Names.printable(hostName)
                        + "\" does not work (" + p.get() + "); set host-name to a shorter name"));
            }
        }
        OptionalInt mtu = OptionalInt.empty();
        Optional<String> mac = Optional.empty();
        boolean gateway = true;
        List<Manifest.AssignedAddress> addresses = new ArrayList<>();
        List<Manifest.RoutedPrefix> routes = new ArrayList<>();
        if (f != null) {
            Node m = f.get("mtu");
            if (m != null) {
                Optional<Integer> v = integer(m, where + ".mtu");
                if (v.isPresent() && (v.get() < 68 || v.get() > 65535)) {
                    problems.add(new Problem(at(m), where + ".mtu " + v.get() + " is outside 68..65535"));
                } else if (v.isPresent()) {
                    mtu = OptionalInt.of(v.get());
                }
            }
            Node macNode = f.get("mac");
            if (macNode != null) mac = string(macNode, where + ".mac").flatMap(s -> mac(macNode, s, where));
            if (f.get("gateway") != null) gateway = bool(f.get("gateway"), where + ".gateway").orElse(true);
            list(f.get("addresses"), where + ".addresses").forEach(n -> address(n, where).ifPresent(addresses::add));
            list(f.get("routes"), where + ".routes").forEach(n -> route(n, where).ifPresent(routes::add));
        }
        return new Manifest.Interface(ifname, hostName, mtu, mac, gateway, addresses, routes, entry.keyAt, hostNameAt);
    }

    private Optional<String> mac(Node node, String text, String where) {
        String lower = text.toLowerCase();
        if (!lower.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            problems.add(new Problem(at(node), where + ".mac \"" + Names.printable(text)
                    + "\" is not a MAC address like \"02:00:00:00:00:01\" (quote it in YAML)"));
            return Optional.empty();
        }
        int first = Integer.parseInt(lower.substring(0, 2), 16);
        if ((first & 1) == 1 || lower.equals("00:00:00:00:00:00")) {
            problems.add(new Problem(at(node), where + ".mac " + lower
                    + " is multicast or zero; use a unicast address, e.g. a locally administered one starting with 02"));
            return Optional.empty();
        }
        return Optional.of(lower);
    }

    private Optional<Manifest.AssignedAddress> address(Node node, String where) {
        String what = where + ".addresses";
        Node addressNode = node;
        boolean route = true;
        Optional<Prefix> routeAs = Optional.empty();
        if (node instanceof MappingNode) {
            Fields f = fields(node, what + " item", ADDRESS_KEYS);
            if (f == null) return Optional.empty();
            addressNode = f.required("address", "give the address, e.g. \"address: 10.0.0.2/24\"");
            if (f.get("route") != null) route = bool(f.get("route"), what + ".route").orElse(true);
            Node as = f.get("route-as");
            if (as != null) {
                routeAs = string(as, what + ".route-as").flatMap(s -> prefix(as, s, what + ".route-as"));
                if (!route) {
                    problems.add(new Problem(at(as), what + ": route: false and route-as contradict each other; keep one"));
                    routeAs = Optional.empty();
                    addressNode = null; // reported once; its coverage is moot
                }
            }
            if (addressNode == null) return Optional.empty();
        }
        Node n = addressNode;
        Optional<Cidr> cidr = string(n, what).flatMap(s -> parse(n, s, what, Cidr::parse));
        if (cidr.isEmpty()) return Optional.empty();
        Cidr c = cidr.get();
        Optional<String> why = reserved(c.ip(), c.family());
        if (why.isPresent()) {
            // Dropped here, so that its auto-route does not raise more errors downstream.
            problems.add(new Problem(at(n), what + ": " + c + " is " + why.get() + " and cannot be assigned to a container"));
            return Optional.empty();
        }
        if (routeAs.isPresent() && !routeAs.get().contains(c.ip())) {
            problems.add(new Problem(at(n), what + ": route-as " + routeAs.get() + " does not contain " + c.ip().toCanonicalString()));
            return Optional.empty(); // reported once; no follow-on "not covered"
        }
        return Optional.of(new Manifest.AssignedAddress(c, route, routeAs, at(n)));
    }

    private Optional<Manifest.RoutedPrefix> route(Node node, String where) {
        String what = where + ".routes";
        Node toNode = node;
        Optional<IPAddress> via = Optional.empty();
        Node viaNode = null;
        if (node instanceof MappingNode) {
            Fields f = fields(node, what + " item", ROUTE_KEYS);
            if (f == null) return Optional.empty();
            toNode = f.required("to", "give the routed prefix, e.g. \"to: 198.51.100.64/26\"");
            viaNode = f.get("via");
            if (viaNode != null) {
                via = nextHop(viaNode, what);
            }
            if (toNode == null) return Optional.empty();
        }
        Node n = toNode;
        Optional<IPAddress> nextHop = via;
        Location viaAt = viaNode == null ? at(n) : at(viaNode);
        return string(n, what).flatMap(s -> prefix(n, s, what)).map(p -> new Manifest.RoutedPrefix(p, nextHop, at(n), viaAt));
    }

    /** Why an address cannot be a container's, or empty when it can. */
    private static Optional<String> reserved(IPAddress ip, Family family) {
        if (ip.isUnspecified()) return Optional.of("the unspecified address");
        if (ip.isLoopback()) return Optional.of("a loopback address");
        if (ip.isMulticast()) return Optional.of("a multicast address");
        if (family == Family.V6 && ip.isLinkLocal()) {
            return Optional.of("IPv6 link-local (every link makes its own fe80:: address)");
        }
        if (family == Family.V6 && ip.toIPv6().isIPv4Mapped()) {
            return Optional.of("an IPv4-mapped IPv6 address (write the IPv4 address instead)");
        }
        return Optional.empty();
    }

    private Optional<IPAddress> nextHop(Node viaNode, String what) {
        return string(viaNode, what + ".via").flatMap(s -> {
                    if (s.contains("%")) {
                        problems.add(new Problem(at(viaNode), what + ".via: \"" + Names.printable(s)
                                + "\" has a zone id (%...); the route's interface already says where the next hop is, drop it"));
                        return Optional.empty();
                    }
                    IPAddress ip = s.isBlank() ? null : new IPAddressString(s, IpText.STRICT).getAddress();
                    if (ip == null || ip.isPrefixed() || ip.isMultiple()) {
                        problems.add(new Problem(at(viaNode), what + ".via: \"" + Names.printable(s)
                                + "\" is not a single IP address"));
                        return Optional.empty();
                    }
                    return Optional.of(IpText.compact(ip));
                });
    }

    /** A route prefix, with host bits refused rather than silently masked. */
    private Optional<Prefix> prefix(Node node, String text, String what) {
        IPAddress ip = new IPAddressString(text, IpText.STRICT).getAddress();
        if (ip != null && ip.isPrefixed() && !ip.isPrefixBlock()) {
            Prefix meant = new Prefix(ip.toPrefixBlock());
            problems.add(new Problem(at(node), what + ": " + text + " has host bits set; did you mean " + meant + "?"));
            return Optional.empty();
        }
        return parse(node, text, what, Prefix::parse);
    }

    private <T> Optional<T> parse(Node node, String text, String what, Function<String, T> parser) {
        if (text.contains("%")) {
            problems.add(new Problem(at(node), what + ": \"" + Names.printable(text)
                    + "\" has a zone id (%...); the interface already says where the address lives, drop it"));
            return Optional.empty();
        }
        IPAddressString s = new IPAddressString(text, IpText.STRICT);
        if (text.isBlank() || !s.isValid() || s.getAddress() == null || s.getAddress().isMultiple() && !s.isPrefixed()) {
            String reason = s.getAddressStringException() == null ? "" : " (" + s.getAddressStringException().getMessage() + ")";
            problems.add(new Problem(at(node), what + ": \"" + Names.printable(text)
                    + "\" is not an IP address or prefix like 203.0.113.10/32 or 2001:db8::/64" + reason));
            return Optional.empty();
        }
        if (s.getAddress().isIPv6() && s.getAddress().toIPv6().hasZone()) {
            problems.add(new Problem(at(node), what + ": \"" + Names.printable(text)
                    + "\" has a zone id (%...); the interface already says where the address lives, drop it"));
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(at(node), what + ": " + e.getMessage()));
            return Optional.empty();
        }
    }

    // ---- the typed walk over YAML nodes -------------------------------------------------

    /** A mapping's entries by key, checked for duplicates and (when {@code known} is given) unknown keys. */
    private final class Fields {
        final Map<String, Entry> entries = new LinkedHashMap<>();
        final Node node;
        final String where;

        Fields(MappingNode node, String where, Set<String> known) {
            this.node = node;
            this.where = where;
            Map<String, Location> seen = new HashMap<>();
            for (NodeTuple t : node.getValue()) {
                Node k = t.getKeyNode();
                if (!(k instanceof ScalarNode sk) || isNull(k)) {
                    problems.add(new Problem(at(k), where + ": keys must be plain names"));
                    continue;
                }
                String key = sk.getValue();
                Location keyAt = at(k);
                Location first = seen.putIfAbsent(key, keyAt);
                if (first != null) {
                    problems.add(new Problem(keyAt, where + ": duplicate key \"" + Names.printable(key)
                            + "\" (first at line " + first.line() + "); keep one"));
                    continue;
                }
                if (known != null && !known.contains(key)) {
                    problems.add(new Problem(keyAt, where + ": unknown key \"" + Names.printable(key) + "\""
                            + DidYouMean.suggest(key, known).map(s -> "; did you mean \"" + s + "\"?").orElse("")
                            + DidYouMean.list(known)));
                    continue;
                }
                entries.put(key, new Entry(keyAt, t.getValueNode()));
            }
        }

        Node get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value;
        }

        Node required(String key, String hint) {
            Node n = get(key);
            if (n == null) problems.add(new Problem(at(node), where + ": \"" + key + "\" is missing; " + hint));
            return n;
        }
    }

    private record Entry(Location keyAt, Node value) {
    }

    private Fields fields(Node node, String where, Set<String> known) {
        if (node instanceof MappingNode m) return new Fields(m, where, known);
        problems.add(new Problem(at(node), where + " must be a mapping (key: value lines), not " + describe(node)));
        return null;
    }

    private List<Node> list(Node node, String where) {
        if (node == null || isNull(node)) return List.of();
        if (node instanceof SequenceNode s) return s.getValue();
        problems.add(new Problem(at(node), where + " must be a list (\"- item\" lines), not " + describe(node)));
        return List.of();
    }

    private Optional<String> string(Node node, String where) {
        if (node instanceof ScalarNode s && !isNull(node)) return Optional.of(s.getValue());
        problems.add(new Problem(at(node), where + " must be a single value, not " + describe(node)));
        return Optional.empty();
    }

    private Optional<String> name(Node node, String where) {
        return string(node, where).filter(s -> {
            Optional<String> p = Names.netnsProblem(s);
            p.ifPresent(msg -> problems.add(new Problem(at(node), where + ": " + msg)));
            return p.isEmpty();
        });
    }

    private Optional<Boolean> bool(Node node, String where) {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) return Optional.of(Boolean.parseBoolean(s.getValue().toLowerCase()));
        problems.add(new Problem(at(node), where + " must be true or false, not " + describe(node)));
        return Optional.empty();
    }

    private Optional<Integer> integer(Node node, String where) {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
            try {
                String v = s.getValue();
                // YAML 1.2 core schema: decimal, 0x hex, 0o octal.
                if (v.startsWith("0x")) return Optional.of(Integer.parseInt(v.substring(2), 16));
                if (v.startsWith("0o")) return Optional.of(Integer.parseInt(v.substring(2), 8));
                return Optional.of(Integer.parseInt(v.startsWith("+") ? v.substring(1) : v));
            } catch (NumberFormatException e) {
                problems.add(new Problem(at(node), where + " " + s.getValue() + " is not a whole number in range"));
                return Optional.empty();
            }
        }
        problems.add(new Problem(at(node), where + " must be a whole number, not " + describe(node)));
        return Optional.empty();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        ScalarNode s = (ScalarNode) node;
        if (s.getTag().equals(Tag.NULL)) return "an empty value";
        String kind = s.getTag().equals(Tag.STR) ? "text" : s.getTag().equals(Tag.INT) ? "a number"
                : s.getTag().equals(Tag.BOOL) ? "a boolean" : "a value";
        return kind + " \"" + Names.printable(s.getValue()) + "\"";
    }

    private Location at(Node node) {
        return node.getStartMark().map(this::at).orElse(new Location(file, 1, 1));
    }

    private Location at(Mark mark) {
        return new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** The "---" line that starts the document at {@code node}, or {@code node} itself. */
    private Location separatorBefore(String text, Location node) {
        String[] lines = text.split("\n", -1);
        for (int i = Math.min(node.line(), lines.length) - 1; i >= 0; i--) {
            if (lines[i].startsWith("---")) return new Location(file, i + 1, 1);
        }
        return node;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
