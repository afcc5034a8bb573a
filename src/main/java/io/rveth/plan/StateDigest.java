package io.rveth.plan;

import io.rveth.model.State;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A digest of what rveth manages in a state (namespaces, veths, addresses, routes,
 * sysctls, rules, proxy entries and the uplink's subnets; not the names of other links),
 * so that a saved plan can tell whether the host or the manifest changed since it was
 * made, and ignore everything else on the host.
 */
public final class StateDigest {
    private StateDigest() {
    }

    public static String of(State s) {
        return of(s, s);
    }

    /**
     * The digest of {@code live} as far as {@code desired} is concerned: of the named
     * namespaces, only those the manifest uses count, so another netns coming or going on
     * the machine does not make a saved plan stale.
     */
    public static String of(State live, State desired) {
        State s = live;
        List<String> lines = new ArrayList<>();
        s.namespaces().values().forEach(x -> {
            if (desired.namespaces().containsKey(x.netns())) lines.add(x.toString());
        });
        s.veths().forEach(x -> lines.add(x.toString()));
        s.addresses().forEach(x -> lines.add(x.toString()));
        s.routes().forEach(x -> lines.add(x.toString()));
        s.sysctls().forEach(x -> lines.add(x.toString()));
        s.rules().forEach(x -> lines.add(x.toString()));
        s.proxies().forEach(x -> lines.add(x.toString()));
        // What decides which proxy entries the manifest gets: the uplink's subnets, and
        // others' entries there (a conflict). A change to either makes a saved plan stale.
        java.util.Set<String> uplinks = new java.util.HashSet<>();
        desired.proxies().forEach(p -> uplinks.add(p.netns().name() + "\0" + p.dev()));
        s.foreignAddresses().forEach(a -> {
            if (uplinks.contains(a.netns().name() + "\0" + a.dev())) lines.add("uplink " + a);
        });
        s.foreignProxies().forEach(p -> {
            if (uplinks.contains(p.netns().name() + "\0" + p.dev())) lines.add("others' " + p);
        });
        lines.sort(null);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String l : lines) sha.update((l + "\n").getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
