package io.rveth.model;

/**
 * A veth pair that rveth owns: the host end (identity: host netns + name) and the peer
 * inside the container. Ownership is marked on the host end by its link alias
 * ({@value #ALIAS_PREFIX}{@code <container>/<ifname>}), which survives rveth restarts and
 * tells {@code show} which container a link belongs to.
 */
public record Veth(Endpoint host, Endpoint peer, String alias) {
    public static final String ALIAS_PREFIX = "rveth:";

    public static String aliasFor(String container, String ifname) {
        return ALIAS_PREFIX + container + "/" + ifname;
    }

    /** True for link aliases that mark a host end as rveth's. */
    public static boolean isOwnedAlias(String alias) {
        return alias != null && alias.startsWith(ALIAS_PREFIX);
    }

    /**
     * The container's interface name, from the alias: live, the peer may sit in a netns
     * that was not read (a container being removed), so its own name is unknown.
     */
    public String ifname() {
        int slash = alias.lastIndexOf('/');
        return isOwnedAlias(alias) && slash > ALIAS_PREFIX.length() && slash < alias.length() - 1
                ? alias.substring(slash + 1) : peer.name();
    }

    /** The container named in the alias, or the host end's name when the alias is odd. */
    public String container() {
        int slash = alias.lastIndexOf('/');
        return isOwnedAlias(alias) && slash > ALIAS_PREFIX.length()
                ? alias.substring(ALIAS_PREFIX.length(), slash)
                : host.name();
    }
}
