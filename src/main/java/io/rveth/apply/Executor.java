package io.rveth.apply;

import io.rveth.live.IpRunner;
import io.rveth.live.NamespaceDump;
import io.rveth.model.Netns;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only code that changes the system. It runs a plan as one {@code ip -batch -} per
 * namespace: first the namespace-less batch ({@code netns add}), then the host side, then
 * the containers, {@value #PARALLEL_CONTAINERS} at a time, each batch keeping the plan's
 * order. {@code ip} stops at the first line that fails; so does the executor (it starts no
 * further container), naming the change and quoting {@code ip}.
 *
 * <p>Sysctl writes are planned as {@code netns exec NS sysctl -q -w path=value} lines, one
 * per setting; inside an {@code ip} batch each would be a process of its own (one per host
 * end: 6.5 s of a 7.2 s host batch at 1,000 containers). The executor runs a namespace's
 * consecutive sysctl writes as one {@code sysctl -q -w k1=v1 k2=v2 ...} process in that
 * namespace instead, in their place in the batch order.
 */
public final class Executor {
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    /** Settings per sysctl process: its argv stays far below the kernel's ARG_MAX (2 MB). */
    static final int MAX_SYSCTLS = 2000;

    private final IpRunner ip;
    private boolean readBack;
    private final Map<Netns, NamespaceDump> readBacks = new java.util.concurrent.ConcurrentHashMap<>();

    public Executor(IpRunner ip) {
        this.ip = ip;
    }

    /**
     * Ends each container's last batch with the read that verification needs ({@link
     * NamespaceDump#CONTAINER_COMMANDS}, in {@code ip -N -j}): the same process reads the
     * namespace right after changing it, so verification need not start another. At 1000
     * containers that is 1000 processes fewer. Nothing else changes a container's
     * namespace once its batch ran, and the host side ran before it.
     */
    public Executor readingBack() {
        this.readBack = true;
        return this;
    }

    /** What {@link #readingBack} read, by namespace: those whose read went through and parsed. */
    public Map<Netns, NamespaceDump> readBacks() {
        return Map.copyOf(readBacks);
    }

    /**
     * A run of commands that go to one process: an {@code ip -batch} ({@code viaIp}), or
     * (not {@code viaIp}) one {@code sysctl} process writing every setting of the run.
     */
    public record Batch(Netns netns, boolean viaIp, boolean ipv6, List<Command> commands, List<Change> changes) {
    }

    /** The batches a plan becomes, in the order they run. */
    public static List<Batch> batches(Plan plan, Netns host) {
        Map<Netns, List<Command>> byNetns = new LinkedHashMap<>();
        Map<Netns, List<Change>> owners = new LinkedHashMap<>();
        Netns global = new Netns("\u0000global");
        for (Change c : plan.changes()) {
            for (Command cmd : c.commands()) {
                Netns key = cmd.netns() == null ? global : cmd.netns();
                byNetns.computeIfAbsent(key, k -> new ArrayList<>()).add(cmd);
                owners.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
            }
        }
        List<Netns> order = new ArrayList<>(byNetns.keySet());
        order.sort(Comparator.comparing((Netns n) -> n.equals(global) ? 0 : n.equals(host) ? 1 : 2).thenComparing(n -> n));
        List<Batch> out = new ArrayList<>();
        for (Netns n : order) {
            List<Command> cmds = byNetns.get(n);
            List<Change> chs = owners.get(n);
            // Consecutive commands that go through ip share one process, and so do
            // consecutive sysctl writes; IPv6 rules get an "ip -6" process of their own.
            int start = 0;
            for (int i = 1; i <= cmds.size(); i++) {
                if (i == cmds.size() || viaIp(cmds.get(i)) != viaIp(cmds.get(start))
                        || cmds.get(i).ipv6() != cmds.get(start).ipv6()
                        || !viaIp(cmds.get(start)) && i - start == MAX_SYSCTLS) {
                    out.add(new Batch(n.equals(global) ? null : n, viaIp(cmds.get(start)), cmds.get(start).ipv6(),
                            cmds.subList(start, i), chs.subList(start, i)));
                    start = i;
                }
            }
        }
        return out;
    }

    /** Whether {@code c} runs in an ip batch; sysctl writes run in a sysctl process instead. */
    private static boolean viaIp(Command c) {
        return c.sysctlAssignment() == null && c.viaIp();
    }

    /** Container namespaces applied at once: each batch is mostly a process starting and waiting on the kernel. */
    static final int PARALLEL_CONTAINERS = 4;

    /**
     * Runs the plan; {@code progress} hears about each batch before it starts. The
     * namespace-less batch and the host side run first, in order; then the containers,
     * several at a time (each one's batches in order): nothing in one container's batch
     * depends on another's. Once a failure is seen no further container is started; the
     * one reported is the first failed in plan order.
     */
    public void apply(Plan plan, Netns host, Consumer<Batch> progress) {
        List<Batch> all = batches(plan, host);
        for (Batch b : all) for (Command c : b.commands()) checkSafe(c);
        Map<Netns, List<Batch>> containers = new LinkedHashMap<>();
        for (Batch b : all) {
            if (b.netns() == null || b.netns().equals(host)) run(b, progress);
            else containers.computeIfAbsent(b.netns(), k -> new ArrayList<>()).add(b);
        }
        if (containers.isEmpty()) return;
        if (containers.size() == 1) {
            List<Batch> batches = containers.values().iterator().next();
            for (Batch b : batches) run(b, progress, b == batches.get(batches.size() - 1));
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(PARALLEL_CONTAINERS, containers.size()));
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (List<Batch> batches : containers.values()) {
                futures.add(pool.submit(() -> {
                    for (Batch b : batches) {
                        if (failed.get()) return;
                        try {
                            run(b, progress, b == batches.get(batches.size() - 1));
                        } catch (RuntimeException e) {
                            failed.set(true);
                            throw e;
                        }
                    }
                }));
            }
            RuntimeException first = null;
            for (java.util.concurrent.Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (first == null) first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
            if (first != null) throw first;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying", e);
        } finally {
            pool.shutdown();
        }
    }

    private void run(Batch b, Consumer<Batch> progress) {
        run(b, progress, false);
    }

    /** @param lastOfContainer the last batch of a container's namespace: it may read back */
    private void run(Batch b, Consumer<Batch> progress, boolean lastOfContainer) {
        synchronized (progress) {
            progress.accept(b);
        }
        if (b.viaIp()) runBatch(b, readBack && lastOfContainer && !b.ipv6());
        else runSysctls(b);
    }

    private void runBatch(Batch b, boolean read) {
        List<String> lines = b.commands().stream().map(Command::line).toList();
        List<String> input = lines;
        if (read) {
            input = new ArrayList<>(lines);
            input.addAll(NamespaceDump.CONTAINER_COMMANDS);
        }
        IpRunner.Result r = ip.batch(b.netns(), input, read, b.ipv6());
        Matcher m = FAILED_LINE.matcher(r.stderr());
        int index = r.exitCode() != 0 && m.find() ? Integer.parseInt(m.group(1)) - 1 : -1;
        if (r.exitCode() == 0 || read && index >= lines.size()) {
            // Applied; a read that failed or does not parse is only left to verification.
            if (read && r.exitCode() == 0) {
                try {
                    readBacks.put(b.netns(), NamespaceDump.parse(b.netns(), r.stdout(), false));
                } catch (RuntimeException e) {
                    // verification reads this namespace itself
                }
            }
            return;
        }
        String message = r.stderr().lines().filter(l -> !FAILED_LINE.matcher(l).find())
                .reduce((a, c) -> a + "; " + c).orElse("exit code " + r.exitCode()).strip();
        if (index < 0 || index >= lines.size()) {
            throw new ApplyException(null, new Command(b.netns(), List.of("-batch", "-"), true), message);
        }
        throw new ApplyException(b.changes().get(index), b.commands().get(index), message);
    }

    /**
     * One {@code sysctl -q -w} for every setting of the batch, inside its netns. sysctl goes
     * on past a setting it cannot write and exits non-zero; the first failing setting (in
     * plan order) that its messages name is the change reported.
     */
    private void runSysctls(Batch b) {
        List<String> argv = new ArrayList<>(List.of("sysctl", "-q", "-w"));
        for (Command c : b.commands()) argv.add(c.sysctlAssignment());
        IpRunner.Result r = ip.run(ip.in(b.netns(), argv), "");
        if (r.exitCode() == 0) return;
        String message = (r.stderr() + r.stdout()).strip();
        int index = failedSysctl(b.commands(), message);
        if (index < 0) {
            throw new ApplyException(null, new Command(b.netns(), argv, false),
                    message.isEmpty() ? "exit code " + r.exitCode() : message);
        }
        String mine = message.lines().filter(l -> names(l, b.commands().get(index).sysctlAssignment())).findFirst().orElse(message);
        throw new ApplyException(b.changes().get(index), b.commands().get(index), mine.strip());
    }

    /** The index of the first command whose setting sysctl's {@code message} names, or -1. */
    static int failedSysctl(List<Command> commands, String message) {
        for (int i = 0; i < commands.size(); i++) {
            String assignment = commands.get(i).sysctlAssignment();
            for (String line : message.split("\n")) {
                if (names(line, assignment)) return i;
            }
        }
        return -1;
    }

    /**
     * Whether one line of sysctl's stderr is about {@code path=value}: it names the file
     * ({@code cannot stat /proc/sys/PATH:}) or the key in dotted form, where sysctl turns
     * the slashes of the path into dots and its dots into slashes ({@code "net.ipv4.conf.veth/web.rp_filter"}).
     */
    private static boolean names(String line, String assignment) {
        String path = assignment.substring(0, assignment.indexOf('='));
        StringBuilder dotted = new StringBuilder(path.length());
        for (char ch : path.toCharArray()) dotted.append(ch == '/' ? '.' : ch == '.' ? '/' : ch);
        return line.contains("/proc/sys/" + path + ":") || line.contains("\"" + dotted + "\"");
    }

    /**
     * A second line of defence behind manifest validation: a word with a blank, quote or
     * '#' would change the meaning of a batch line, so it never reaches {@code ip}.
     */
    static void checkSafe(Command c) {
        for (String arg : c.args()) {
            if (arg.isEmpty() || !arg.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\'' && ch != '#' && ch != '\\')) {
                throw new IllegalArgumentException("refusing to run a command with the unsafe word \""
                        + io.rveth.model.Names.printable(arg) + "\": " + c.line());
            }
        }
    }
}
