package io.rveth.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rveth.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway corner of the machine for one integration test: every netns it makes starts
 * with a unique prefix, and {@link #close()} deletes them all, pass or fail. Nothing here
 * ever runs {@code ip} in the root namespace except {@code ip netns add/del} of its own.
 *
 * <p>Integration tests need root and iproute2. Without them they are skipped on a
 * developer's machine, and fail under {@code CI=true}, where skipping would hide them.
 */
final class Sandbox implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final String prefix;
    private final Path dir;

    Sandbox() {
        requireRootAndIp();
        prefix = "rvit" + ProcessHandle.current().pid() % 100000 + "x" + COUNTER.incrementAndGet();
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void requireRootAndIp() {
        boolean root = isRoot();
        boolean ip = run(List.of("ip", "-V")).exit == 0;
        boolean ci = "true".equals(System.getenv("CI"));
        if (ci && !(root && ip)) fail("integration tests need root and iproute2 under CI=true (root=" + root + ", ip=" + ip + ")");
        assumeTrue(root && ip, "integration tests need root and iproute2");
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
        } catch (IOException e) {
            return false;
        }
    }

    /** A netns name inside this sandbox. */
    String ns(String name) {
        return prefix + "-" + name;
    }

    /** Writes a manifest; {@code @NS@} in it becomes this sandbox's prefix. */
    Path manifest(String name, String yaml) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, yaml.replace("@NS@", prefix));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs rveth in-process, as the command line would. */
    static Run rveth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /** Runs a command (never a shell) and returns what it printed. */
    static Run run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
            return new Run(p.exitValue(), out, err);
        } catch (IOException e) {
            return new Run(127, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code ip -n <ns> args...}, which must succeed. */
    String ip(String netns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", netns));
        argv.addAll(List.of(args));
        Run r = run(argv);
        if (r.exit != 0) fail(String.join(" ", argv) + " failed: " + r.err);
        return r.out;
    }

    /** One ping from inside {@code netns}; true when a reply came back. */
    boolean ping(String netns, String address) {
        return run(List.of("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", "-n", address)).exit == 0;
    }

    List<String> namespaces() {
        return run(List.of("ip", "netns", "list")).out.lines().map(l -> l.split(" ")[0])
                .filter(n -> n.startsWith(prefix)).toList();
    }

    @Override
    public void close() {
        for (String ns : namespaces()) run(List.of("ip", "netns", "del", ns));
        // apply's lock files, one per host netns: ours go with the sandbox.
        try (var locks = Files.newDirectoryStream(Path.of("/run/rveth"), "{" + prefix + "," + prefix + "-*}.lock")) {
            for (Path f : locks) Files.deleteIfExists(f);
        } catch (IOException e) {
            // no lock was taken
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
