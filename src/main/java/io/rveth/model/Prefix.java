package io.rveth.model;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A routed prefix (the destination of a route): a network address with its length, host
 * bits zero, such as {@code 10.5.5.0/24} or {@code 2001:db8::/48}. Compared as the kernel
 * compares route destinations: by family, then network bits, then length.
 */
public record Prefix(IPAddress network) implements Comparable<Prefix> {
    private static final Comparator<Prefix> ORDER = Comparator
            .comparing(Prefix::family)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.network.getLower().getBytes(), b.network.getLower().getBytes()))
            .thenComparingInt(Prefix::length);

    public Prefix {
        if (!network.isPrefixed() || !network.isPrefixBlock()) {
            throw new IllegalArgumentException("not a prefix with zero host bits: " + network);
        }
    }

    /** The whole address space of a family: what {@code "default"} means to {@code ip}. */
    public static Prefix any(Family family) {
        return parse(family == Family.V4 ? "0.0.0.0/0" : "::/0");
    }

    /** Parses a prefix; a bare address is a host prefix (/32 or /128), as with {@code ip route}. */
    public static Prefix parse(String text) {
        IPAddress ip = new IPAddressString(text, IpText.STRICT).getAddress();
        if (ip == null) throw new IllegalArgumentException("not an IP prefix: " + text);
        if (!ip.isPrefixed()) ip = ip.setPrefixLength(ip.getBitCount(), false);
        if (!ip.isPrefixBlock()) throw new IllegalArgumentException("host bits set in " + text);
        return new Prefix(ip);
    }

    /** The host prefix of one address: 203.0.113.10 becomes 203.0.113.10/32. */
    public static Prefix host(IPAddress address) {
        IPAddress bare = address.withoutPrefixLength();
        return new Prefix(bare.setPrefixLength(bare.getBitCount(), false));
    }

    public Family family() {
        return network.isIPv4() ? Family.V4 : Family.V6;
    }

    public int length() {
        return network.getPrefixLength();
    }

    public boolean isDefault() {
        return length() == 0;
    }

    public boolean contains(Prefix other) {
        return family() == other.family() && network.contains(other.network);
    }

    public boolean contains(IPAddress address) {
        return network.getIPVersion() == address.getIPVersion() && network.contains(address.withoutPrefixLength());
    }

    /** True when one contains the other: routes that would shadow each other. */
    public boolean overlaps(Prefix other) {
        return contains(other) || other.contains(this);
    }

    /** The form {@code ip} accepts and the manifest shows: canonical, always with a length. */
    @Override
    public String toString() {
        return network.getLower().withoutPrefixLength().toCanonicalString() + "/" + length();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prefix p && compareTo(p) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network.getLower().getBytes()) * 31 + length();
    }

    @Override
    public int compareTo(Prefix other) {
        return ORDER.compare(this, other);
    }
}
