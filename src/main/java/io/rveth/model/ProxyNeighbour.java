package io.rveth.model;

import inet.ipaddr.IPAddress;

/**
 * A permanent proxy neighbour entry on the host's uplink: the host answers ARP (IPv4) or
 * NDP (IPv6) on {@code dev} for {@code address}, a container's, and routes what arrives
 * to the container. {@code ip neigh add proxy <address> dev <dev> protocol <protocol>}.
 * The protocol number is rveth's route protocol, which is how it tells its entries apart
 * (0: none, someone else's).
 */
public record ProxyNeighbour(Netns netns, String dev, IPAddress address, int protocol) {
    public Family family() {
        return address.isIPv4() ? Family.V4 : Family.V6;
    }

    /** What the planner matches on: the kernel keys an entry by address and device. */
    public String key() {
        return netns.name() + "\0" + dev + "\0" + address.toCanonicalString();
    }
}
