package io.rveth.model;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.Arrays;
import java.util.Comparator;

/**
 * An address assigned to an interface, with the length of its network: {@code 10.5.5.1/24}.
 * Unlike a {@link Prefix}, host bits are the point. A bare address means a host length
 * (/32 or /128), as with {@code ip address add}.
 */
public record Cidr(IPAddress ip, int length) implements Comparable<Cidr> {
    private static final Comparator<Cidr> ORDER = Comparator
            .comparing(Cidr::family)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.ip.getBytes(), b.ip.getBytes()))
            .thenComparingInt(Cidr::length);

    public Cidr {
        // 10.5.5.0/24 parses as the whole block; the address meant is its first.
        ip = ip.getLower().withoutPrefixLength();
        if (length < 0 || length > ip.getBitCount()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + ip);
        }
    }

    public static Cidr parse(String text) {
        IPAddressString parsed = new IPAddressString(text, IpText.STRICT);
        IPAddress ip = parsed.getAddress();
        if (ip == null) throw new IllegalArgumentException("not an IP address: " + text);
        Integer length = ip.getNetworkPrefixLength();
        return new Cidr(ip, length == null ? ip.getBitCount() : length);
    }

    public Family family() {
        return ip.isIPv4() ? Family.V4 : Family.V6;
    }

    /** The network this address lies in: 10.5.5.1/24 gives 10.5.5.0/24. */
    public Prefix network() {
        return new Prefix(ip.setPrefixLength(length, false).toPrefixBlock());
    }

    /** The single address as a host prefix: 10.5.5.1/32. */
    public Prefix host() {
        return Prefix.host(ip);
    }

    @Override
    public String toString() {
        return ip.toCanonicalString() + "/" + length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && compareTo(c) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ip.getBytes()) * 31 + length;
    }

    @Override
    public int compareTo(Cidr other) {
        return ORDER.compare(this, other);
    }
}
