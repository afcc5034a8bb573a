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
 */
public class IpRunner {
    /** A batch that runs longer than this is stuck (a held lock, a hung netns); give up. */
    static final long TIMEOUT_SECONDS = 300;

    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Pipe readers: two per running process, so not the common pool (one thread on 2 cores). */
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ip-pipe");
        t.setDaemon(true);
        return t;
    });

    private final String ip;

    public IpRunner(String ip) {
        this.ip = ip;
    }

    /** {@code ip} from the PATH, unless RVETH_IP (or, for tests in one JVM, -Drveth.ip) names another. */
    public IpRunner() {
        this(System.getProperty("rveth.ip", System.getenv().getOrDefault("RVETH_IP", "ip")));
    }

    /** The argv for a batch in {@code netns} (null: no -n, for netns add/delete). */
    public List<String> batchCommand(Netns netns, boolean json) {
        return batchCommand(netns, json, false);
    }

    /** The same; {@code ipv6} adds -6, which batch lines themselves cannot carry. */
    public List<String> batchCommand(Netns netns, boolean json, boolean ipv6) {
        List<String> argv = new ArrayList<>(List.of(ip));
        if (ipv6) argv.add("-6");
        if (json) argv.addAll(List.of("-N", "-j"));
        if (netns != null && !netns.isCurrent()) argv.addAll(List.of("-n", netns.name()));
        argv.addAll(List.of("-batch", "-"));
        return argv;
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
                    + " (install iproute2, or point RVETH_IP at ip)", e);
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
