package io.rveth.manifest;

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
import inet.ipaddr.IPAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** What a valid manifest asks for, in the model live state is read into. */
public final class DesiredState {
    private DesiredState() {
    }

    public static State of(Manifest manifest) {
        Manifest.Host host = manifest.host();
        Netns hostNetns = host.netns();
        int proto = host.routeProtocol();
        Map<Netns, Namespace> namespaces = new TreeMap<>();
        if (!hostNetns.isCurrent()) namespaces.put(hostNetns, new Namespace(hostNetns, host.createNetns()));
        List<Veth> veths = new ArrayList<>();
        List<Address> addresses = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        List<PolicyRule> rules = new ArrayList<>();
        Set<Sysctl> sysctls = new LinkedHashSet<>();
        Set<Family> forwarded = EnumSet.noneOf(Family.class);

        for (Manifest.Container c : manifest.containers()) {
            Netns ns = c.netns();
            namespaces.merge(ns, new Namespace(ns, c.createNetns()),
                    (a, b) -> new Namespace(ns, a.managed() || b.managed()));
            for (Manifest.Interface i : c.interfaces()) {
                veths.add(new Veth(
                        new Endpoint(hostNetns, i.hostName(), i.mtu(), Optional.empty(), true),
                        new Endpoint(ns, i.name(), i.mtu(), i.mac(), true),
                        Veth.aliasFor(c.name(), i.name())));
                sysctls.add(Sysctl.strictRpFilter(hostNetns, i.hostName()));
                for (Family family : Family.values()) {
                    if (!i.routesFamily(family)) continue;
                    forwarded.add(family);
                    addresses.add(new Address(hostNetns, i.hostName(), new Cidr(host.gateway(family), family.hostLength())));
                }
                for (Manifest.AssignedAddress a : i.addresses()) addresses.add(new Address(ns, i.name(), a.cidr()));
                for (Manifest.RoutedPrefix r : i.routedPrefixes()) {
                    routes.add(new Route(hostNetns, r.to(), i.hostName(), r.via(), r.via().isPresent(), proto,
                            Route.defaultMetric(r.to().family())));
                }
                if (i.gateway()) routes.addAll(gatewayRoutes(host, ns, i));
                rules.addAll(antiSpoofing(hostNetns, i, proto));
            }
        }
        for (Family family : forwarded) sysctls.add(Sysctl.forwarding(hostNetns, family));
        List<ProxyNeighbour> proxies = new ArrayList<>();
        host.uplink().ifPresent(uplink -> proxies.addAll(proxies(manifest, uplink, sysctls)));
        return new State(namespaces, veths, addresses, routes, List.copyOf(sysctls), Map.of(), List.of(), List.of(), rules,
                proxies, List.of());
    }

    /**
     * One proxy entry on the uplink per container address. Only those inside one of the
     * uplink's subnets are published: the planner keeps those, as it alone sees the
     * uplink's addresses. The kernel answers for an entry only where the uplink forwards,
     * and for IPv6 only with proxy_ndp on, so the manifest asks for those settings too.
     */
    private static List<ProxyNeighbour> proxies(Manifest manifest, String uplink, Set<Sysctl> sysctls) {
        Netns host = manifest.host().netns();
        List<ProxyNeighbour> out = new ArrayList<>();
        Set<Family> families = EnumSet.noneOf(Family.class);
        for (Manifest.Container c : manifest.containers()) {
            for (Manifest.Interface i : c.interfaces()) {
                for (Manifest.AssignedAddress a : i.addresses()) {
                    out.add(new ProxyNeighbour(host, uplink, a.cidr().ip(), manifest.host().routeProtocol()));
                    families.add(a.cidr().family());
                }
            }
        }
        if (families.contains(Family.V4)) sysctls.add(new Sysctl(host, "net.ipv4.conf." + uplink + ".forwarding", "1"));
        if (families.contains(Family.V6)) {
            sysctls.add(new Sysctl(host, "net.ipv6.conf." + uplink + ".forwarding", "1"));
            sysctls.add(new Sysctl(host, "net.ipv6.conf." + uplink + ".proxy_ndp", "1"));
        }
        return out;
    }

    /**
     * IPv6 has no rp_filter: for a host end with IPv6 routed to it, allow sources routed
     * there and link-local ones, drop the rest (see {@link PolicyRule}).
     */
    private static List<PolicyRule> antiSpoofing(Netns host, Manifest.Interface i, int proto) {
        List<PolicyRule> out = new ArrayList<>();
        List<Prefix> v6 = i.routedPrefixes().stream().map(Manifest.RoutedPrefix::to).filter(p -> p.family() == Family.V6).toList();
        if (v6.isEmpty()) return out;
        for (Prefix p : v6) out.add(new PolicyRule(host, PolicyRule.ALLOW, i.hostName(), p, false, proto));
        out.add(new PolicyRule(host, PolicyRule.ALLOW, i.hostName(), PolicyRule.LINK_LOCAL, false, proto));
        out.add(new PolicyRule(host, PolicyRule.DROP, i.hostName(), Prefix.any(Family.V6), true, proto));
        return out;
    }

    /**
     * The container's way out, per family it has an address in: an on-link route to the
     * gateway (IPv4 always; IPv6 only when the gateway is not link-local, which is on-link
     * by definition), then the default route via it.
     */
    private static List<Route> gatewayRoutes(Manifest.Host host, Netns ns, Manifest.Interface i) {
        List<Route> out = new ArrayList<>();
        for (Family family : Family.values()) {
            if (!i.hasFamily(family)) continue;
            IPAddress gw = host.gateway(family);
            long metric = Route.defaultMetric(family);
            if (family == Family.V4 || !gw.isLinkLocal()) {
                out.add(new Route(ns, Prefix.host(gw), i.name(), Optional.empty(), false, host.routeProtocol(), metric));
            }
            out.add(new Route(ns, Prefix.any(family), i.name(), Optional.of(gw), false, host.routeProtocol(), metric));
        }
        return out;
    }
}
