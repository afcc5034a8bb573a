package io.rveth.manifest;

import inet.ipaddr.IPAddress;
import io.rveth.model.Cidr;
import io.rveth.model.Family;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules that relate parts of a manifest to each other: one owner per name, address
 * and routed prefix on the host; addresses inside routed prefixes; sane next hops. They
 * run after {@link ManifestReader} has checked each value on its own.
 */
final class ManifestValidator {
    /** The smallest MTU at which the kernel keeps IPv6 on a link. */
    static final int IPV6_MIN_MTU = 1280;

    private final Manifest manifest;
    private final List<Problem> problems = new ArrayList<>();

    private ManifestValidator(Manifest manifest) {
        this.manifest = manifest;
    }

    static List<Problem> validate(Manifest manifest) {
        ManifestValidator v = new ManifestValidator(manifest);
        v.names();
        v.addresses();
        v.routes();
        v.gateways();
        return v.problems;
    }

    /** Where an interface is, for messages: "web/eth0 (file:line:col)". */
    private record Owner(Manifest.Container container, Manifest.Interface iface) {
        String label() {
            return container.name() + "/" + iface.name();
        }

        boolean sameInterface(Owner o) {
            return container == o.container && iface == o.iface;
        }
    }

    private void names() {
        Netns host = manifest.host().netns();
        Map<String, Manifest.Interface> hostNames = new HashMap<>();
        Map<String, Owner> peerNames = new HashMap<>();
        for (Manifest.Container c : manifest.containers()) {
            if (c.netns().equals(host)) {
                problems.add(new Problem(c.at(), "container " + c.name() + " uses the host's netns " + host
                        + "; a container needs a netns of its own (set containers." + c.name() + ".netns)"));
            }
            for (Manifest.Interface i : c.interfaces()) {
                if (manifest.host().uplink().filter(i.hostName()::equals).isPresent()) {
                    problems.add(new Problem(i.hostNameAt(), "host-name " + i.hostName() + " is host.uplink; the uplink is the"
                            + " host's link to its LAN, not a veth rveth makes: give this interface another host-name"));
                }
                Manifest.Interface first = hostNames.putIfAbsent(i.hostName(), i);
                if (first != null) {
                    problems.add(new Problem(i.hostNameAt(), "host-name " + i.hostName() + " is already used at "
                            + first.hostNameAt().ref(i.hostNameAt()) + "; every interface needs its own host-name"));
                }
                Owner firstPeer = peerNames.putIfAbsent(c.netns().name() + "\0" + i.name(), new Owner(c, i));
                if (firstPeer != null) {
                    problems.add(new Problem(i.at(), "netns " + c.netns() + " already gets an interface " + i.name()
                            + " from " + firstPeer.label() + " (" + firstPeer.iface().at().ref(i.at())
                            + "); containers sharing a netns need different interface names"));
                }
                if (i.mtu().isPresent() && i.mtu().getAsInt() < IPV6_MIN_MTU && i.routesFamily(Family.V6)) {
                    problems.add(new Problem(i.at(), c.name() + "/" + i.name() + ": mtu " + i.mtu().getAsInt()
                            + " is below " + IPV6_MIN_MTU + ", where the kernel turns IPv6 off, but the interface has IPv6"));
                }
            }
        }
    }

    private void addresses() {
        Map<IPAddress, Manifest.AssignedAddress> seen = new HashMap<>();
        for (Manifest.Container c : manifest.containers()) {
            for (Manifest.Interface i : c.interfaces()) {
                List<Manifest.RoutedPrefix> routed = i.routedPrefixes();
                for (Manifest.AssignedAddress a : i.addresses()) {
                    Cidr cidr = a.cidr();
                    Manifest.AssignedAddress first = seen.putIfAbsent(cidr.ip(), a);
                    if (first != null) {
                        problems.add(new Problem(a.at(), cidr.ip().toCanonicalString() + " is already assigned at "
                                + first.at().ref(a.at()) + "; an address belongs to one interface"));
                    }
                    if (routed.stream().noneMatch(r -> r.to().contains(cidr.ip()))) {
                        problems.add(new Problem(a.at(), c.name() + "/" + i.name() + ": no route of this interface covers "
                                + cidr.ip().toCanonicalString() + "; add a route containing it"
                                + (a.route() ? "" : ", or drop \"route: false\"")));
                    }
                }
                for (Manifest.RoutedPrefix r : i.routes()) {
                    r.via().ifPresent(via -> {
                        boolean own = i.addresses().stream().anyMatch(a -> a.cidr().ip().equals(via.withoutPrefixLength()));
                        if (via.isIPv4() != (r.to().family() == Family.V4)) {
                            problems.add(new Problem(r.viaAt(), "via " + via.toCanonicalString() + " is " + (via.isIPv4() ? "IPv4" : "IPv6")
                                    + " but " + r.to() + " is " + r.to().family().label() + "; the next hop must be of the route's family"));
                        } else if (!own) {
                            problems.add(new Problem(r.viaAt(), "via " + via.toCanonicalString() + " is not an address of "
                                    + c.name() + "/" + i.name() + "; the next hop must be one of its addresses"));
                        }
                    });
                }
            }
        }
    }

    private record Routed(Prefix prefix, Owner owner, Manifest.RoutedPrefix at) {
    }

    /**
     * Two interfaces may not route overlapping prefixes: the host could not tell whose a
     * packet is. Sorted by start address, prefixes either nest or are disjoint, so a stack
     * of the prefixes that contain the current one finds every overlap in n log n.
     */
    private void routes() {
        List<Routed> all = new ArrayList<>();
        for (Manifest.Container c : manifest.containers()) {
            for (Manifest.Interface i : c.interfaces()) {
                Map<Prefix, Manifest.RoutedPrefix> declared = new HashMap<>();
                for (Manifest.RoutedPrefix r : i.routes()) {
                    Manifest.RoutedPrefix first = declared.putIfAbsent(r.to(), r);
                    if (first != null) {
                        problems.add(new Problem(r.at(), r.to() + " is already routed to " + c.name() + "/" + i.name()
                                + " at " + first.at().ref(r.at()) + "; list it once"));
                    }
                }
                for (Manifest.RoutedPrefix r : i.routedPrefixes()) {
                    if (r.to().isDefault()) {
                        problems.add(new Problem(r.at(), r.to() + " would route everything to " + c.name() + "/" + i.name()
                                + " and take over the host's default route; route narrower prefixes"));
                    }
                    IPAddress first = r.to().network().getLower();
                    if (r.to().family() == Family.V6 && (first.isLinkLocal() || first.isMulticast())
                            || first.isLoopback() || r.to().family() == Family.V4 && first.isMulticast()) {
                        problems.add(new Problem(r.at(), r.to() + " is a link-local, loopback or multicast range and cannot be routed to a container"));
                    }
                    all.add(new Routed(r.to(), new Owner(c, i), r));
                }
            }
        }
        all.sort(Comparator.comparing(Routed::prefix));
        Deque<Routed> enclosing = new ArrayDeque<>();
        for (Routed r : all) {
            while (!enclosing.isEmpty() && !enclosing.peek().prefix().contains(r.prefix())) enclosing.pop();
            for (Routed outer : enclosing) {
                if (!outer.owner().sameInterface(r.owner())) {
                    problems.add(new Problem(r.at().at(), r.prefix() + " (" + r.owner().label() + ") overlaps "
                            + outer.prefix() + " routed to " + outer.owner().label() + " at " + outer.at().at().ref(r.at().at())
                            + "; a prefix can be routed to one interface only"));
                    break;
                }
            }
            enclosing.push(r);
        }
        for (Family family : Family.values()) {
            IPAddress gw = manifest.host().gateway(family);
            for (Routed r : all) {
                if (r.prefix().contains(gw)) {
                    problems.add(new Problem(r.at().at(), r.prefix() + " (" + r.owner().label() + ") contains the "
                            + family.label() + " gateway " + gw.toCanonicalString()
                            + ", which every host end holds; route something else or change host."
                            + (family == Family.V4 ? "ipv4" : "ipv6") + "-gateway"));
                }
            }
        }
    }

    /** One default route per family and netns: two interfaces asking for it would collide. */
    private void gateways() {
        Map<String, Owner> defaults = new HashMap<>();
        for (Manifest.Container c : manifest.containers()) {
            for (Manifest.Interface i : c.interfaces()) {
                if (!i.gateway()) continue;
                for (Family family : Family.values()) {
                    if (!i.hasFamily(family)) continue;
                    Owner first = defaults.putIfAbsent(c.netns().name() + "\0" + family, new Owner(c, i));
                    if (first != null) {
                        problems.add(new Problem(i.at(), c.name() + "/" + i.name() + " and " + first.label()
                                + " both want the " + family.label() + " default route in netns " + c.netns()
                                + "; set \"gateway: false\" on one of them"));
                    }
                }
            }
        }
    }
}
