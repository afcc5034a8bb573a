package io.rveth.live;

import io.rveth.model.Netns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ip}, never through a shell: arguments go to the process as they are and
 * batch lines go to its standard input. Reading ({@code live}) and applying ({@code apply})
 * both start processes only through here.
 *
 * <p>A named namespace is entered with {@code nsenter --net=/var/run/netns/NAME ip ...},
 * not {@code ip -n NAME}: {@code ip -n} also unshares the mount namespace to remount
 * {@code /sys}, which copies every mount, and every named netns is one, so each process
 * cost grows with the number of namespaces (4-5 ms with one, 41-56 ms with 5,000);
 * {@code nsenter --net} only calls setns(2) and stays flat. Nothing rveth runs reads
 * {@code /sys}. Plans still show commands as {@code ip -n NAME ...}, how people type them.
 */
public class IpRunner {
    /** A batch that runs longer than this is stuck (a held lock, a hung netns); give up. */
    static final long TIMEOUT_SECONDS = 300;

    public record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * How the JVM starts processes. By default (posix_spawn) it first executes a helper,
     * jspawnhelper, which then executes the command: two programs loaded per ip process.
     * vfork executes the command directly; at 1000 containers a no-op apply runs 1000
     * processes, and this takes it from 3.2 to 2.7 s. The JDK deprecates vfork in 25 and
     * removes it in 26, so only older JVMs use it, and never over a value the user set.
     */
    static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    static {
        if (Runtime.version().feature() < 25 && System.getProperty(LAUNCH_MECHANISM) == null) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }

    /** Pipe readers: two per running process, so not the common pool (one thread on 2 cores). */
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ip-pipe");
        t.setDaemon(true);
        return t;
    });

    /** Where {@code ip netns} keeps its names; {@code nsenter --net=} opens them there. */
    public static final String NETNS_DIR = "/var/run/netns/";

    private final String ip;
    private final String nsenter;

    public IpRunner(String ip) {
        this(ip, "nsenter");
    }

    public IpRunner(String ip, String nsenter) {
        this.ip = ip;
        this.nsenter = nsenter;
    }

    /** {@code ip} from the PATH, unless RVETH_IP (or, for tests in one JVM, -Drveth.ip) names another. */
    public IpRunner() {
        this(System.getProperty("rveth.ip", System.getenv().getOrDefault("RVETH_IP", "ip")));
    }

    /** The {@code ip} this runner starts (the program, without nsenter). */
    public String ip() {
        return ip;
    }

    /** The argv for a batch in {@code netns} (null: the current netns, for netns add/delete). */
    public List<String> batchCommand(Netns netns, boolean json) {
        return batchCommand(netns, json, false);
    }

    /** The same; {@code ipv6} adds -6, which batch lines themselves cannot carry. */
    public List<String> batchCommand(Netns netns, boolean json, boolean ipv6) {
        List<String> args = new ArrayList<>();
        if (ipv6) args.add("-6");
        if (json) args.addAll(List.of("-N", "-j"));
        args.addAll(List.of("-batch", "-"));
        return ipIn(netns, args);
    }

    /** The argv that runs {@code ip args...} inside {@code netns} (null or current: here). */
    public List<String> ipIn(Netns netns, List<String> args) {
        List<String> argv = enter(netns);
        argv.add(ip);
        argv.addAll(args);
        return argv;
    }

    /** The argv that runs {@code program args...} inside {@code netns} (null or current: here). */
    public List<String> in(Netns netns, List<String> programAndArgs) {
        List<String> argv = enter(netns);
        argv.addAll(programAndArgs);
        return argv;
    }

    private List<String> enter(Netns netns) {
        List<String> argv = new ArrayList<>();
        if (netns != null && !netns.isCurrent()) argv.addAll(List.of(nsenter, "--net=" + NETNS_DIR + netns.name()));
        return argv;
    }

    /**
     * Fails early, with the fix, when {@code nsenter} (util-linux) is not on the PATH: every
     * named namespace is entered with it.
     */
    public void checkNsenter() {
        if (nsenter.contains("/")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(nsenter))) return;
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, nsenter))) return;
            }
        }
        throw new IllegalStateException("\"" + nsenter + "\" is not on the PATH; rveth enters network namespaces with it"
                + " (install util-linux: apt-get install util-linux)");
    }

    /** Runs {@code ip} with its lines on stdin. */
    public Result batch(Netns netns, List<String> lines, boolean json) {
        return batch(netns, lines, json, false);
    }

    public Result batch(Netns netns, List<String> lines, boolean json, boolean ipv6) {
        return run(batchCommand(netns, json, ipv6), String.join("\n", lines) + "\n");
    }

    public Result run(List<String> argv, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.get(0) + ": " + e.getMessage()
                    + (argv.get(0).equals(nsenter) ? " (install util-linux)" : " (install iproute2, or point RVETH_IP at ip)"), e);
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // ip exited before reading everything; its exit code and stderr say why.
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + argv.get(0), e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s; ByteArrayOutputStream buf = new ByteArrayOutputStream()) {
                s.transferTo(buf);
                return buf.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, PIPES);
    }
}
