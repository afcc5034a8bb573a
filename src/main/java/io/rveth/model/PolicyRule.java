package io.rveth.model;

/**
 * An IPv6 policy-routing rule on the host: IPv6 has no rp_filter, so rveth gives each host
 * end "packets arriving here from a prefix routed here, or from link-local: route them"
 * ({@link #ALLOW}) and then "anything else arriving here: drop" ({@link #DROP}, a
 * blackhole). A container can thus only send from what is routed to it. Rules carry
 * rveth's protocol number like its routes, which is how it tells them apart.
 *
 * @param from      the source prefix; ::/0 means any source
 * @param blackhole drop instead of looking up the main table
 */
public record PolicyRule(Netns netns, long priority, String iif, Prefix from, boolean blackhole, int protocol) {
    /** Where the allow rules sit: after the local table (0), well before main (32766). */
    public static final long ALLOW = 1000;
    public static final long DROP = 1001;

    public static final Prefix LINK_LOCAL = Prefix.parse("fe80::/10");
}
