package io.rveth.model;

import inet.ipaddr.IPAddress;
import java.util.Optional;

/**
 * A route in the main table of {@code netns}. The kernel identifies a route by table,
 * destination and metric ({@link #key()}); the rest can change in place with
 * {@code ip route replace}. The metric is the kernel's u32, so a long. {@code protocol} is the rtnetlink protocol number: rveth tags its
 * own routes with one, and treats only routes carrying it as its own.
 */
public record Route(Netns netns, Prefix dst, String dev, Optional<IPAddress> via, boolean onlink,
                    int protocol, long metric) {

    /** The kernel's metric when {@code ip route add} gives none: 0 for IPv4, 1024 for IPv6. */
    public static long defaultMetric(Family family) {
        return family == Family.V4 ? 0 : 1024;
    }

    public Key key() {
        return new Key(netns, dst, metric);
    }

    /** What makes two routes the same kernel object (table main is implied). */
    public record Key(Netns netns, Prefix dst, long metric) {
    }
}
