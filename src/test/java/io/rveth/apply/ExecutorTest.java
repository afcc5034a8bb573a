package io.rveth.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.model.Netns;
import io.rveth.model.Sysctl;
import io.rveth.plan.Action;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a plan becomes ip -batch processes, without running any. */
class ExecutorTest {
    static final Netns HOST = new Netns("h");
    static final Netns WEB = new Netns("web");

    static Change change(int stage, Command... commands) {
        return new Change(Action.CREATE, "x" + stage, "t", HOST, "", "", List.of(commands), stage, null, null);
    }

    @Test
    void oneBatchPerNamespaceNamespacesFirstThenHostThenContainers() {
        Plan plan = new Plan(List.of(
                change(0, Command.ip(null, "netns", "add", "web"), Command.ip(WEB, "link", "set", "dev", "lo", "up")),
                change(4, Command.ip(HOST, "link", "add", "name", "v", "type", "veth", "peer", "name", "eth0", "netns", "web"),
                        Command.ip(WEB, "link", "set", "dev", "eth0", "up")),
                change(9, Command.ip(HOST, "route", "add", "10.0.0.0/24", "dev", "v"))));
        List<Executor.Batch> batches = Executor.batches(plan, HOST);
        assertEquals(3, batches.size());
        assertEquals(null, batches.get(0).netns());
        assertEquals(HOST, batches.get(1).netns());
        assertEquals(2, batches.get(1).commands().size());
        assertEquals(WEB, batches.get(2).netns());
        assertEquals(List.of("link set dev lo up", "link set dev eth0 up"),
                batches.get(2).commands().stream().map(Command::line).toList(), "plan order kept inside a batch");
    }

    @Test
    void aSysctlInTheCurrentNetnsRunsOnItsOwnInItsPlace() {
        Netns current = Netns.CURRENT;
        Sysctl rp = Sysctl.strictRpFilter(current, "v");
        Plan plan = new Plan(List.of(
                change(4, Command.ip(current, "link", "add", "name", "v", "type", "veth", "peer", "name", "eth0", "netns", "web")),
                change(5, Command.sysctl(current, rp.path(), "1")),
                change(9, Command.ip(current, "route", "add", "10.0.0.0/24", "dev", "v"))));
        List<Executor.Batch> batches = Executor.batches(plan, current);
        assertEquals(List.of(true, false, true), batches.stream().map(Executor.Batch::viaIp).toList());
        assertEquals("sysctl -q -w net/ipv4/conf/v/rp_filter=1", batches.get(1).commands().get(0).shell());
    }

    @Test
    void consecutiveSysctlsOfANamespaceShareOneProcessInTheirPlace() {
        Plan plan = new Plan(List.of(
                change(4, Command.ip(HOST, "link", "add", "name", "v", "type", "veth", "peer", "name", "eth0", "netns", "web")),
                change(5, Command.sysctl(HOST, "net/ipv4/conf/all/forwarding", "1")),
                change(5, Command.sysctl(HOST, Sysctl.strictRpFilter(HOST, "v").path(), "1")),
                change(5, Command.sysctl(HOST, "net/ipv6/conf/all/forwarding", "1")),
                change(9, Command.ip(HOST, "route", "add", "10.0.0.0/24", "dev", "v"))));
        List<Executor.Batch> batches = Executor.batches(plan, HOST);
        assertEquals(List.of(true, false, true), batches.stream().map(Executor.Batch::viaIp).toList());
        assertEquals(List.of("net/ipv4/conf/all/forwarding=1", "net/ipv4/conf/v/rp_filter=1", "net/ipv6/conf/all/forwarding=1"),
                batches.get(1).commands().stream().map(Command::sysctlAssignment).toList());
        assertEquals(HOST, batches.get(1).netns());
        assertEquals(null, Command.ip(HOST, "netns", "exec", "h", "ping", "-c", "1", "x").sysctlAssignment());
    }

    @Test
    void aLongRunOfSysctlsIsSplitSoThatNoArgvGetsTooLong() {
        List<Change> changes = new java.util.ArrayList<>();
        for (int i = 0; i <= Executor.MAX_SYSCTLS; i++) {
            changes.add(change(5, Command.sysctl(HOST, Sysctl.strictRpFilter(HOST, "v" + i).path(), "1")));
        }
        List<Executor.Batch> batches = Executor.batches(new Plan(changes), HOST);
        assertEquals(List.of(Executor.MAX_SYSCTLS, 1), batches.stream().map(b -> b.commands().size()).toList());
    }

    @Test
    void aFailingSysctlIsTheFirstSettingSysctlComplainsAbout() {
        List<Command> cmds = List.of(Command.sysctl(HOST, "net/ipv4/conf/all/forwarding", "1"),
                Command.sysctl(HOST, "net/ipv4/conf/v1/rp_filter", "1"),
                Command.sysctl(HOST, "net/ipv4/conf/v.2/rp_filter", "1"),
                Command.sysctl(HOST, "net/ipv4/conf/v10/rp_filter", "1"));
        // What procps-ng sysctl 4.0 prints: it goes on past a failing key.
        assertEquals(3, Executor.failedSysctl(cmds, "sysctl: cannot stat /proc/sys/net/ipv4/conf/v10/rp_filter: No such file or directory"));
        assertEquals(1, Executor.failedSysctl(cmds, """
                sysctl: cannot stat /proc/sys/net/ipv4/conf/v10/rp_filter: No such file or directory
                sysctl: setting key "net.ipv4.conf.v1.rp_filter": Invalid argument"""));
        assertEquals(2, Executor.failedSysctl(cmds, "sysctl: permission denied on key \"net.ipv4.conf.v/2.rp_filter\""));
        assertEquals(-1, Executor.failedSysctl(cmds, "sysctl: something else"));
    }

    @Test
    void sysctlPathKeepsDotsInInterfaceNames() {
        Sysctl s = Sysctl.strictRpFilter(HOST, "veth.web");
        assertEquals("net/ipv4/conf/veth.web/rp_filter", s.path());
        assertEquals("veth.web", s.device());
        assertEquals("net/ipv6/conf/all/forwarding", Sysctl.forwarding(HOST, io.rveth.model.Family.V6).path());
        assertEquals(null, Sysctl.forwarding(HOST, io.rveth.model.Family.V6).device());
    }

    @Test
    void wordsThatWouldChangeABatchLineNeverReachIp() {
        for (String bad : List.of("a b", "a\nroute del default", "x#y", "q\"", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Executor.checkSafe(Command.ip(HOST, "link", "del", "dev", bad)));
            assertTrue(e.getMessage().contains("unsafe word"), e.getMessage());
        }
    }

    /** An ip that records which netns each batch ran in, and fails the batches of {@code failing}. */
    static final class RecordingIp extends io.rveth.live.IpRunner {
        final List<String> ran = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        final java.util.Set<Netns> failing;

        RecordingIp(Netns... failing) {
            super("ip");
            this.failing = java.util.Set.of(failing);
        }

        /** Released by the first failure: until then other containers' batches wait in "the kernel". */
        final java.util.concurrent.CountDownLatch failedOnce = new java.util.concurrent.CountDownLatch(1);

        @Override
        public Result batch(Netns netns, List<String> lines, boolean json, boolean ipv6) {
            ran.add(netns == null ? "-" : netns.name());
            if (netns != null && failing.contains(netns)) {
                failedOnce.countDown();
                return new Result(1, "", "RTNETLINK answers: File exists\nCommand failed -:1\n");
            }
            if (!failing.isEmpty() && netns != null && !netns.equals(HOST)) {
                try {
                    if (!failedOnce.await(30, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("no failure came");
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            return new Result(0, "", "");
        }
    }

    static Plan containers(int n) {
        List<Change> changes = new java.util.ArrayList<>();
        changes.add(change(0, Command.ip(null, "netns", "add", "c0")));
        changes.add(change(4, Command.ip(HOST, "link", "add", "name", "v0", "type", "veth", "peer", "name", "eth0", "netns", "c0")));
        for (int i = 0; i < n; i++) changes.add(change(6, Command.ip(new Netns("c" + i), "address", "add", "10.0.0." + i + "/32", "dev", "eth0")));
        return new Plan(changes);
    }

    @Test
    void theHostSideRunsFirstThenEveryContainer() {
        RecordingIp ip = new RecordingIp();
        new Executor(ip).apply(containers(12), HOST, b -> { });
        assertEquals(List.of("-", "h"), ip.ran.subList(0, 2), "namespaces, then the host, before any container");
        assertEquals(14, ip.ran.size());
        assertEquals(12, ip.ran.stream().filter(n -> n.startsWith("c")).distinct().count());
    }

    @Test
    void theFailureReportedIsTheFirstInPlanOrder() {
        // c0, c1, c10 and c11 (plan order) start together, and the others wait in "the kernel"
        // until c1 fails. c3 fails too if it still starts; either way c1's is the failure reported.
        RecordingIp ip = new RecordingIp(new Netns("c1"), new Netns("c3"));
        ApplyException e = assertThrows(ApplyException.class, () -> new Executor(ip).apply(containers(40), HOST, b -> { }));
        assertEquals("ip -n c1 address add 10.0.0.1/32 dev eth0", e.command().shell());
    }
}
