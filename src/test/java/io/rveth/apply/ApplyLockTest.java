package io.rveth.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.model.Netns;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The apply lock in a temp dir (no root), and the duration syntax of its options. */
class ApplyLockTest {
    static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    // ---- durations

    @ParameterizedTest
    @CsvSource({"500ms, 500", "10s, 10000", "5m, 300000", "1h, 3600000", "0, 0", "0s, 0", "0ms, 0", "24h, 86400000",
            "' 10s ', 10000"})
    void durationsParse(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10         | \"10\" has no unit; did you mean 10s?",
            "1.5s       | \"1.5s\": use a whole number (1500ms)",
            "2.5m       | \"2.5m\": use a whole number (150s)",
            "-1s        | \"-1s\": a duration cannot be negative",
            "10sec      | \"10sec\": unknown unit \"sec\"",
            "10S        | \"10S\": unknown unit \"S\"",
            "s          | \"s\" is not a duration",
            "1m30s      | \"1m30s\" is not a duration",
            "25h        | \"25h\" is too long; at most 24h",
            "99999999999999999999s | is too long",
            "''         | an empty duration",
    })
    void badDurationsSayWhatIsWrong(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        if (!text.isEmpty()) assertTrue(e.getMessage().contains("500ms") || e.getMessage().contains("at most"), e.getMessage());
    }

    @Test
    void durationsFormatInTheirLargestExactUnit() {
        assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("10s", Durations.format(Duration.ofSeconds(10)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
        assertEquals("1h", Durations.format(Duration.ofHours(1)));
        assertEquals("0s", Durations.format(Duration.ZERO));
        for (String s : List.of("500ms", "10s", "5m", "1h", "90s")) assertEquals(s, Durations.format(Durations.parse(s)));
    }

    // ---- the lock

    @Test
    void oneLockFilePerHostNetns() {
        assertEquals(Path.of("/run/rveth/current.lock"), ApplyLock.fileFor(Netns.CURRENT));
        assertEquals(Path.of("/run/rveth/rveth-demo.lock"), ApplyLock.fileFor(new Netns("rveth-demo")));
    }

    @Test
    void createsItsDirectoryAndFileAndWritesThePid() throws Exception {
        Path file = tmp.resolve("run/rveth/host.lock");
        try (ApplyLock lock = ApplyLock.acquire(file, Duration.ZERO)) {
            assertEquals(file, lock.file());
            assertEquals(PID + "\n", Files.readString(file));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        assertEquals("", Files.readString(file), "no stale pid after release");
    }

    @Test
    void aLongerOldPidIsOverwrittenWhole() throws Exception {
        Path file = tmp.resolve("x.lock");
        Files.writeString(file, "123456789012345\nrest\n");
        try (ApplyLock lock = ApplyLock.acquire(file, Duration.ZERO)) {
            assertEquals(PID + "\n", Files.readString(file));
        }
    }

    @Test
    void heldInThisProcessItTimesOutNamingThePidAndTheFile() {
        Path file = tmp.resolve("x.lock");
        try (ApplyLock held = ApplyLock.acquire(file, Duration.ZERO)) {
            ApplyLock.BusyException now = assertThrows(ApplyLock.BusyException.class, () -> ApplyLock.acquire(file, Duration.ZERO));
            assertEquals("another rveth (pid " + PID + ") holds " + file + "; waited 0s", now.getMessage());
            assertEquals(PID, now.holderPid().getAsLong());

            long start = System.nanoTime();
            ApplyLock.BusyException later = assertThrows(ApplyLock.BusyException.class,
                    () -> ApplyLock.acquire(file, Duration.ofMillis(200)));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= 200, "waited the whole timeout: " + waited + " ms");
            assertTrue(later.getMessage().endsWith("; waited 200ms"), later.getMessage());
        }
        // Released: the next one gets it at once, and a failed attempt took nothing with it.
        try (ApplyLock again = ApplyLock.acquire(file, Duration.ZERO)) {
            assertEquals(file, again.file());
        }
    }

    @Test
    void aWaiterGetsTheLockWhenTheHolderLetsGo() throws Exception {
        Path file = tmp.resolve("x.lock");
        ApplyLock held = ApplyLock.acquire(file, Duration.ZERO);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            long start = System.nanoTime();
            try (ApplyLock got = ApplyLock.acquire(file, Duration.ofSeconds(20))) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        held.close();
        long waitedMs = waiter.get(20, TimeUnit.SECONDS);
        assertTrue(waitedMs < 20_000, "got it before the timeout: " + waitedMs + " ms");
    }

    @Test
    void closeIsIdempotentAndDoesNotFreeSomeoneElsesLock() {
        Path file = tmp.resolve("x.lock");
        ApplyLock first = ApplyLock.acquire(file, Duration.ZERO);
        first.close();
        try (ApplyLock second = ApplyLock.acquire(file, Duration.ZERO)) {
            first.close(); // again: must not release the semaphore the second holder took
            assertThrows(ApplyLock.BusyException.class, () -> ApplyLock.acquire(file, Duration.ZERO));
        }
    }

    @Test
    void aLockFileThatCannotBeCreatedIsAnErrorNamingIt() throws Exception {
        Path notADir = tmp.resolve("plain-file");
        Files.writeString(notADir, "");
        Path file = notADir.resolve("x.lock");
        var e = assertThrows(java.io.UncheckedIOException.class, () -> ApplyLock.acquire(file, Duration.ZERO));
        assertTrue(e.getMessage().startsWith("cannot lock " + file + ": "), e.getMessage());
    }

    /** The real thing: another process holds the file lock; the waiter names that process. */
    @Test
    void heldByAnotherProcessItTimesOutNamingThatPid() throws Exception {
        Path file = tmp.resolve("other.lock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(60, TimeUnit.SECONDS);
            assertEquals("held " + file, first);

            ApplyLock.BusyException e = assertThrows(ApplyLock.BusyException.class,
                    () -> ApplyLock.acquire(file, Duration.ofMillis(100)));
            assertEquals("another rveth (pid " + holder.pid() + ") holds " + file + "; waited 100ms", e.getMessage());

            holder.getOutputStream().close(); // the holder lets go and exits
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
            try (ApplyLock mine = ApplyLock.acquire(file, Duration.ZERO)) {
                assertEquals(PID + "\n", Files.readString(file));
            }
        } finally {
            holder.destroyForcibly();
        }
        assertFalse(holder.isAlive());
    }
}
