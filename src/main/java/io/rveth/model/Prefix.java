package io.rveth.model;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.Arrays;

/**
 * A routed prefix (the destination of a route): a network address with its length, host
 * bits zero, such as {@code 10.5.5.0/24} or {@code 2001:db8::/48}. Compared as the kernel
 * compares route destinations: by family, then network bits, then length.
 */
public final class Prefix implements Comparable<Prefix> {
    // Only the bytes are kept: an IPAddress, with the parse data it holds on to, is about
    // twenty times larger, and a large host has hundreds of thousands of prefixes.
    private final byte[] bytes;
    private final int length;
    private final int hash;
    /** Made on first use and kept: plans print it in labels and commands, and IPAddress formats slowly. */
    private String text;

    public Prefix(IPAddress network) {
        if (!network.isPrefixed() || !network.isPrefixBlock()) {
            throw new IllegalArgumentException("not a prefix with zero host bits: " + network);
        }
        this.bytes = network.getLower().getBytes();
        this.length = network.getPrefixLength();
        this.hash = Cidr.hashOf(bytes) * 31 + length;
    }

    /** The prefix as an IPAddress block, made anew on each call. */
    public IPAddress network() {
        return Cidr.address(bytes).setPrefixLength(length, false).toPrefixBlock();
    }

    /** The whole address space of a family: what {@code "default"} means to {@code ip}. */
    public static Prefix any(Family family) {
        return family == Family.V4 ? ANY_V4 : ANY_V6;
    }

    private static final Prefix ANY_V4 = parse("0.0.0.0/0");
    private static final Prefix ANY_V6 = parse("::/0");

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
        return bytes.length == 4 ? Family.V4 : Family.V6;
    }

    public int length() {
        return length;
    }

    /** Inside fe80::/10, from the kept bytes: no parsing, no allocation. */
    public boolean isLinkLocalV6() {
        return bytes.length == 16 && length >= 10 && bytes[0] == (byte) 0xfe && (bytes[1] & 0xc0) == 0x80;
    }

    public boolean isDefault() {
        return length() == 0;
    }

    public boolean contains(Prefix other) {
        return other.length >= length && covers(other.bytes);
    }

    public boolean contains(IPAddress address) {
        return covers(address.withoutPrefixLength().getBytes());
    }

    public boolean contains(Cidr address) {
        return covers(address.bytes());
    }

    /**
     * Whether an address of the same family starts with this prefix's network bits: a
     * comparison of kept bytes, as a plan checks every host route against the host's own
     * addresses.
     */
    private boolean covers(byte[] address) {
        if (address.length != bytes.length) return false;
        int whole = length / 8;
        for (int i = 0; i < whole; i++) if (bytes[i] != address[i]) return false;
        int bits = length % 8;
        if (bits == 0) return true;
        int mask = 0xff << (8 - bits) & 0xff;
        return (bytes[whole] & mask) == (address[whole] & mask);
    }

    /** True when one contains the other: routes that would shadow each other. */
    public boolean overlaps(Prefix other) {
        return contains(other) || other.contains(this);
    }

    /** The form {@code ip} accepts and the manifest shows: canonical, always with a length. */
    @Override
    public String toString() {
        String t = text;
        if (t == null) text = t = Cidr.address(bytes).toCanonicalString() + "/" + length;
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prefix p && length == p.length && Arrays.equals(bytes, p.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** By family (IPv4 first), then network bits, then length. */
    @Override
    public int compareTo(Prefix other) {
        int c = Integer.compare(bytes.length, other.bytes.length);
        if (c == 0) c = Arrays.compareUnsigned(bytes, other.bytes);
        return c != 0 ? c : Integer.compare(length, other.length);
    }
}
