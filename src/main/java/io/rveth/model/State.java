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
 * Desired state has no foreign links.
 *
 * @param namespaces named netns that exist (live) or are needed (desired), by name
 */
public record State(Map<Netns, Namespace> namespaces, List<Veth> veths, List<Address> addresses,
                    List<Route> routes, List<Sysctl> sysctls, Map<Netns, Set<String>> foreignLinks) {
    public State {
        namespaces = Map.copyOf(namespaces);
        veths = List.copyOf(veths);
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
        sysctls = List.copyOf(sysctls);
        foreignLinks = Map.copyOf(foreignLinks);
    }
}
