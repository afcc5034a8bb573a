package io.rveth.apply;

import io.rveth.model.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The lock that serialises applies to one host: an exclusive {@link FileLock} on
 * {@code /run/rveth/<host netns, or "current">.lock}, held from the live read through
 * verification. The holder writes its pid into the file so that a waiter can name it. The
 * lock goes with the process: a killed rveth leaves nothing to clean up (the file stays,
 * empty or with a dead pid, and means nothing without the lock).
 *
 * <p>Inside one JVM a semaphore per file comes first, so that only one channel on the file
 * is ever open: closing a second channel would drop the first one's lock on Linux (see
 * {@link FileLock}). A lock held elsewhere in this JVM is reported as held by this
 * process.
 */
public final class ApplyLock implements AutoCloseable {
    /** Where the lock files are: one per host netns. */
    public static final Path DIRECTORY = Path.of("/run/rveth");
    /** How often a waiter tries again; the file lock itself cannot wait with a timeout. */
    static final long POLL_MILLIS = 50;

    private static final ConcurrentHashMap<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path file;
    private final Semaphore guard;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private ApplyLock(Path file, Semaphore guard, FileChannel channel, FileLock lock) {
        this.file = file;
        this.guard = guard;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file for applies whose host side is in {@code host}. */
    public static Path fileFor(Netns host) {
        return DIRECTORY.resolve((host.isCurrent() ? "current" : host.name()) + ".lock");
    }

    /**
     * Takes the lock on {@code file} (creating it and its directory when missing), waiting
     * at most {@code timeout} for another holder to let go; {@link Duration#ZERO} does not
     * wait.
     *
     * @throws BusyException when the lock is still held after {@code timeout}
     * @throws UncheckedIOException when the file cannot be created or opened
     */
    public static ApplyLock acquire(Path file, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Semaphore guard = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Semaphore(1));
        try {
            if (!guard.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new BusyException(file, OptionalLong.of(ProcessHandle.current().pid()), timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the lock " + file, e);
        }
        FileChannel channel = null;
        try {
            channel = open(file);
            while (true) {
                FileLock lock;
                OptionalLong holder = OptionalLong.empty();
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    // Held through another channel of this JVM, outside ApplyLock.
                    lock = null;
                    holder = OptionalLong.of(ProcessHandle.current().pid());
                }
                if (lock != null) {
                    writePid(channel);
                    return new ApplyLock(file, guard, channel, lock);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new BusyException(file, holder.isPresent() ? holder : readPid(channel), timeout);
                }
                Thread.sleep(Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        } catch (IOException e) {
            closeQuietly(channel);
            guard.release();
            throw new UncheckedIOException("cannot lock " + file + ": " + reason(e), e);
        } catch (InterruptedException e) {
            closeQuietly(channel);
            guard.release();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the lock " + file, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            guard.release();
            throw e;
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Lets go: empties the file (no stale pid), releases the lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (released) return;
        released = true;
        try {
            channel.truncate(0);
        } catch (IOException e) {
            // an old pid left in the file is only read while someone holds the lock
        }
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
        guard.release();
    }

    private static FileChannel open(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        // Owner only: a reader could otherwise take a shared lock and block every apply.
        return FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** Writes "pid\n" over the start of the file, then cuts what an older, longer pid left. */
    private static void writePid(FileChannel channel) throws IOException {
        ByteBuffer text = ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        int length = text.remaining();
        while (text.hasRemaining()) channel.write(text, length - text.remaining());
        channel.truncate(length);
    }

    /** The pid the holder wrote, if it has written one yet. */
    static OptionalLong readPid(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
            String first = text.lines().findFirst().orElse("").strip();
            if (!first.matches("[1-9]\\d{0,18}")) return OptionalLong.empty();
            return OptionalLong.of(Long.parseLong(first));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "Permission denied";
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    /** Someone else held the lock for longer than the caller would wait; nothing was read or changed. */
    public static final class BusyException extends IllegalStateException {
        private final Path file;
        private final OptionalLong holderPid;

        public BusyException(Path file, OptionalLong holderPid, Duration waited) {
            super("another rveth (pid " + (holderPid.isPresent() ? String.valueOf(holderPid.getAsLong()) : "unknown")
                    + ") holds " + file + "; waited " + Durations.format(waited));
            this.file = file;
            this.holderPid = holderPid;
        }

        public Path file() {
            return file;
        }

        /** The holder's pid, when it had written it. */
        public OptionalLong holderPid() {
            return holderPid;
        }
    }
}
