package io.rveth.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything rveth manages on one host, desired or live: the same record serves both, so
 * the planner compares like with like.
 *
 * <p>Live state holds only what rveth owns (host ends with its alias, what sits on them and
 * on their peers, routes tagged with its protocol), plus {@code foreignLinks}: the names of
 * every other link in the namespaces it read, so a plan can refuse to collide with them.
 * {@code foreignRoutes} (main table) and {@code foreignAddresses} are what others hold in
 * those namespaces: the planner checks desired objects against them, naming the holder,
 * and never changes them (except with --adopt). Desired state has none of the three.
 * {@code rules} are rveth's IPv6 anti-spoofing rules on the host ({@link PolicyRule}).
 * {@code proxies} are its proxy ARP/NDP entries on the uplink ({@link ProxyNeighbour});
 * {@code foreignProxies} are everyone else's, in the host netns.
 *
 * @param namespaces named netns that exist (live) or are needed (desired), by name
 */
public record State(Map<Netns, Namespace> namespaces, List<Veth> veths, List<Address> addresses,
                    List<Route> routes, List<Sysctl> sysctls, Map<Netns, Set<String>> foreignLinks,
                    List<Route> foreignRoutes, List<Address> foreignAddresses, List<PolicyRule> rules,
                    List<ProxyNeighbour> proxies, List<ProxyNeighbour> foreignProxies) {
    public State {
        namespaces = Map.copyOf(namespaces);
        veths = List.copyOf(veths);
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
        sysctls = List.copyOf(sysctls);
        foreignLinks = Map.copyOf(foreignLinks);
        foreignRoutes = List.copyOf(foreignRoutes);
        foreignAddresses = List.copyOf(foreignAddresses);
        rules = List.copyOf(rules);
        proxies = List.copyOf(proxies);
        foreignProxies = List.copyOf(foreignProxies);
    }

    /** A state without proxy neighbour entries (no uplink). */
    public State(Map<Netns, Namespace> namespaces, List<Veth> veths, List<Address> addresses,
                 List<Route> routes, List<Sysctl> sysctls, Map<Netns, Set<String>> foreignLinks,
                 List<Route> foreignRoutes, List<Address> foreignAddresses, List<PolicyRule> rules) {
        this(namespaces, veths, addresses, routes, sysctls, foreignLinks, foreignRoutes, foreignAddresses, rules, List.of(), List.of());
    }

    /** A state without policy rules: live state from a snapshot that has none, and tests. */
    public State(Map<Netns, Namespace> namespaces, List<Veth> veths, List<Address> addresses,
                 List<Route> routes, List<Sysctl> sysctls, Map<Netns, Set<String>> foreignLinks,
                 List<Route> foreignRoutes, List<Address> foreignAddresses) {
        this(namespaces, veths, addresses, routes, sysctls, foreignLinks, foreignRoutes, foreignAddresses, List.of());
    }

    /** A state without foreign routes and addresses: desired state, and tests. */
    public State(Map<Netns, Namespace> namespaces, List<Veth> veths, List<Address> addresses,
                 List<Route> routes, List<Sysctl> sysctls, Map<Netns, Set<String>> foreignLinks) {
        this(namespaces, veths, addresses, routes, sysctls, foreignLinks, List.of(), List.of(), List.of());
    }
}
