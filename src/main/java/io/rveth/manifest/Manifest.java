package io.rveth.manifest;

import inet.ipaddr.IPAddress;
import io.rveth.model.Cidr;
import io.rveth.model.Family;
import io.rveth.model.Netns;
import io.rveth.model.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed manifest (format version 1), before it becomes a {@link io.rveth.model.State}.
 * It keeps each element's {@link Location} so that cross-checks can point at the line.
 * {@code file} names the input (several, comma-separated, when merged); {@code hostAt} is
 * where the host section starts, or null when the input has none.
 */
public record Manifest(String file, Host host, List<Container> containers, Location hostAt) {

    /** rveth's route protocol when the manifest names none: unregistered in rt_protos. */
    public static final int DEFAULT_ROUTE_PROTOCOL = 147;

    /**
     * The host side: where host ends live and what the containers use as next hops.
     * {@code uplink} is the host's link to its LAN, on which the host answers ARP/NDP for
     * the container addresses inside the uplink's subnets; empty for none.
     */
    public record Host(Netns netns, boolean createNetns, IPAddress ipv4Gateway, IPAddress ipv6Gateway,
                       int routeProtocol, Optional<String> uplink) {
        public Host(Netns netns, boolean createNetns, IPAddress ipv4Gateway, IPAddress ipv6Gateway, int routeProtocol) {
            this(netns, createNetns, ipv4Gateway, ipv6Gateway, routeProtocol, Optional.empty());
        }

        public IPAddress gateway(Family family) {
            return family == Family.V4 ? ipv4Gateway : ipv6Gateway;
        }
    }

    public record Container(String name, Netns netns, boolean createNetns, List<Interface> interfaces,
                            Location at) {
    }

    /**
     * One veth pair: {@code name} inside the container, {@code hostName} on the host.
     * {@code gateway} asks for the default routes via the host.
     */
    public record Interface(String name, String hostName, OptionalInt mtu, Optional<String> mac, boolean gateway,
                            List<AssignedAddress> addresses, List<RoutedPrefix> routes, Location at,
                            Location hostNameAt) {

        public boolean hasFamily(Family family) {
            return addresses.stream().anyMatch(a -> a.cidr().family() == family);
        }

        public boolean routesFamily(Family family) {
            return hasFamily(family) || routes.stream().anyMatch(r -> r.to().family() == family);
        }

        /**
         * Every prefix the host routes to this interface: the declared routes, then each
         * address's auto-route (its network, or its {@code route-as}) unless a route already
         * listed covers it. This is osctld's {@code ip add} rule, made declarative.
         */
        public List<RoutedPrefix> routedPrefixes() {
            List<RoutedPrefix> all = new ArrayList<>(routes);
            for (AssignedAddress a : addresses) {
                Optional<Prefix> auto = a.autoRoute();
                if (auto.isEmpty()) continue;
                boolean covered = all.stream().anyMatch(r -> r.to().contains(auto.get()));
                if (!covered) all.add(new RoutedPrefix(auto.get(), Optional.empty(), a.at(), a.at()));
            }
            return all;
        }
    }

    /**
     * An address assigned inside the container. {@code route} false means "assigned only";
     * {@code routeAs} replaces the auto-route with a larger prefix.
     */
    public record AssignedAddress(Cidr cidr, boolean route, Optional<Prefix> routeAs, Location at) {
        public Optional<Prefix> autoRoute() {
            if (!route) return Optional.empty();
            return Optional.of(routeAs.orElse(cidr.network()));
        }
    }

    /** A prefix routed to the container; {@code via} is a next hop inside it ({@code viaAt}: its line). */
    public record RoutedPrefix(Prefix to, Optional<IPAddress> via, Location at, Location viaAt) {
    }
}
