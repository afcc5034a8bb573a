package io.rveth.model;

/** An address family, as the kernel and {@code ip} name them. */
public enum Family {
    V4("inet", 32), V6("inet6", 128);

    private final String ipName;
    private final int bits;

    Family(String ipName, int bits) {
        this.ipName = ipName;
        this.bits = bits;
    }

    /** The name {@code ip -j} uses in {@code addr_info[].family}. */
    public String ipName() {
        return ipName;
    }

    /** Prefix length of a single host: 32 or 128. */
    public int hostLength() {
        return bits;
    }

    /** "IPv4" or "IPv6", for messages. */
    public String label() {
        return this == V4 ? "IPv4" : "IPv6";
    }
}
