package io.rveth.model;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.util.Arrays;

/**
 * An address assigned to an interface, with the length of its network: {@code 10.5.5.1/24}.
 * Unlike a {@link Prefix}, host bits are the point. A bare address means a host length
 * (/32 or /128), as with {@code ip address add}.
 */
public final class Cidr implements Comparable<Cidr> {
    // Only the bytes are kept, as in Prefix: an IPAddress with its parse data is about
    // twenty times larger.
    private final int length;
    private final byte[] bytes;
    private final int hash;
    private final int addressHash;
    /** Made on first use and kept: plans print it in labels and commands, and IPAddress formats slowly. */
    private String text;

    public Cidr(IPAddress ip, int length) {
        // 10.5.5.0/24 parses as the whole block; the address meant is its first.
        IPAddress bare = ip.getLower().withoutPrefixLength();
        if (length < 0 || length > bare.getBitCount()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + bare);
        }
        this.length = length;
        this.bytes = bare.getBytes();
        this.addressHash = hashOf(bytes);
        this.hash = addressHash * 31 + length;
    }

    /**
     * A well-spread hash of an address's bytes. {@code Arrays.hashCode} is not one here:
     * with bytes of 0 to 255 and a multiplier of 31, 10.0.x.y and 10.0.x'.y' collide
     * whenever 31x + y is equal, so 65,536 addresses share about 8,000 hash codes, and a
     * large plan's maps degrade into long chains. The address read as 32-bit words is
     * already distinct; murmur3's finaliser spreads it over the low bits a map indexes by.
     */
    static int hashOf(byte[] b) {
        int h = 0;
        for (int i = 0; i + 3 < b.length; i += 4) {
            h = h * 0x9E3779B1 + ((b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff));
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    /** The address, without a prefix length, made anew on each call. */
    public IPAddress ip() {
        return address(bytes);
    }

    /** An IPAddress of 4 or 16 bytes, without the parse data a parsed one carries. */
    static IPAddress address(byte[] bytes) {
        return bytes.length == 4 ? new IPv4Address(bytes) : new IPv6Address(bytes);
    }

    public int length() {
        return length;
    }

    public static Cidr parse(String text) {
        IPAddressString parsed = new IPAddressString(text, IpText.STRICT);
        IPAddress ip = parsed.getAddress();
        if (ip == null) throw new IllegalArgumentException("not an IP address: " + text);
        Integer length = ip.getNetworkPrefixLength();
        return new Cidr(ip, length == null ? ip.getBitCount() : length);
    }

    public Family family() {
        return bytes.length == 4 ? Family.V4 : Family.V6;
    }

    /** An IPv6 link-local address (fe80::/10), from the kept bytes: no parsing, no allocation. */
    public boolean isLinkLocalV6() {
        return bytes.length == 16 && bytes[0] == (byte) 0xfe && (bytes[1] & 0xc0) == 0x80;
    }

    /** The address's bytes, kept, not copied: for {@link Prefix#contains(Cidr)}. */
    byte[] bytes() {
        return bytes;
    }

    /** Whether both hold the same address, whatever their lengths. */
    public boolean sameAddress(Cidr other) {
        return Arrays.equals(bytes, other.bytes);
    }

    /** A hash of the address alone, to go with {@link #sameAddress}. */
    public int addressHash() {
        return addressHash;
    }

    /** The network this address lies in: 10.5.5.1/24 gives 10.5.5.0/24. */
    public Prefix network() {
        return new Prefix(ip().setPrefixLength(length, false).toPrefixBlock());
    }

    /** The single address as a host prefix: 10.5.5.1/32. */
    public Prefix host() {
        return Prefix.host(ip());
    }

    @Override
    public String toString() {
        String t = text;
        if (t == null) text = t = ip().toCanonicalString() + "/" + length;
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && length == c.length && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** By family (IPv4 first), then address, then length. */
    @Override
    public int compareTo(Cidr other) {
        int c = Integer.compare(bytes.length, other.bytes.length);
        if (c == 0) c = Arrays.compareUnsigned(bytes, other.bytes);
        return c != 0 ? c : Integer.compare(length, other.length);
    }
}
