package io.rveth.model;

/**
 * A kernel setting in a netns, such as {@code net.ipv4.conf.veth-web.rp_filter = 1}. rveth
 * only ever raises settings to the value it needs; it never restores an old value.
 */
public record Sysctl(Netns netns, String key, String value) {
    public static Sysctl forwarding(Netns netns, Family family) {
        return new Sysctl(netns, "net." + (family == Family.V4 ? "ipv4" : "ipv6") + ".conf.all.forwarding", "1");
    }

    /** Strict reverse-path filtering: a container may only send from addresses routed to it. */
    public static Sysctl strictRpFilter(Netns netns, String dev) {
        return new Sysctl(netns, "net.ipv4.conf." + dev + ".rp_filter", "1");
    }

    /** The interface a per-device setting belongs to ({@code net.ipv4.conf.<dev>.<name>}), or null. */
    public String device() {
        String[] parts = key.split("\\.", 4);
        if (parts.length < 4 || !parts[2].equals("conf")) return null;
        String dev = parts[3].substring(0, parts[3].lastIndexOf('.'));
        return dev.equals("all") || dev.equals("default") ? null : dev;
    }

    /** The slash form sysctl(8) takes, so that dots in interface names stay literal. */
    public String path() {
        String[] parts = key.split("\\.", 4);
        // net.ipv4.conf.<dev>.<name>: the device may contain dots, the setting name never does.
        if (parts.length == 4 && parts[2].equals("conf")) {
            String rest = parts[3];
            int last = rest.lastIndexOf('.');
            return "net/" + parts[1] + "/conf/" + rest.substring(0, last) + "/" + rest.substring(last + 1);
        }
        return key.replace('.', '/');
    }
}
