package io.rveth.plan;

import io.rveth.model.Netns;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of an {@code ip -batch} stream, and the namespace whose batch runs it
 * ({@code netns} null: the batch without {@code -n} that adds namespaces). A sysctl in the
 * current namespace cannot go through {@code ip}; it is {@code sysctl} itself
 * ({@link #viaIp} false). {@code ipv6} commands run in a batch of their own, {@code ip -6}.
 */
public record Command(Netns netns, List<String> args, boolean viaIp, boolean ipv6) {
    public Command {
        args = List.copyOf(args);
    }

    public Command(Netns netns, List<String> args, boolean viaIp) {
        this(netns, args, viaIp, false);
    }

    /** A command that needs {@code ip -6} (batch lines cannot say it): IPv6 rules. */
    public static Command ip6(Netns netns, List<String> args) {
        return new Command(netns, args, true, true);
    }

    public static Command ip(Netns netns, String... args) {
        return new Command(netns, List.of(args), true);
    }

    public static Command ip(Netns netns, List<String> args) {
        return new Command(netns, args, true);
    }

    /** Writes a sysctl inside {@code netns}; {@code path} is the slash form. */
    public static Command sysctl(Netns netns, String path, String value) {
        List<String> sysctl = List.of("sysctl", "-q", "-w", path + "=" + value);
        if (netns.isCurrent()) return new Command(netns, sysctl, false);
        List<String> args = new ArrayList<>(List.of("netns", "exec", netns.name()));
        args.addAll(sysctl);
        return new Command(netns, args, true);
    }

    /**
     * The {@code path=value} word when this is a sysctl write ({@link #sysctl}), else null:
     * the executor runs a namespace's consecutive sysctl writes as one {@code sysctl} process.
     */
    public String sysctlAssignment() {
        int at = viaIp ? 3 : 0;
        if (viaIp && (args.size() != 7 || !args.get(0).equals("netns") || !args.get(1).equals("exec"))) return null;
        if (args.size() != at + 4 || !args.get(at).equals("sysctl") || !args.get(at + 1).equals("-q")
                || !args.get(at + 2).equals("-w")) return null;
        return args.get(at + 3);
    }

    /** The batch line. */
    public String line() {
        return String.join(" ", args);
    }

    /** The same command as one would type it: {@code ip -n web addr add ...}. */
    public String shell() {
        if (!viaIp) return line();
        return "ip " + (ipv6 ? "-6 " : "") + (netns == null || netns.isCurrent() ? "" : "-n " + netns.name() + " ") + line();
    }
}
