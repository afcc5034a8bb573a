package io.rveth.apply;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process for {@link ApplyLockTest}: takes the lock on {@code args[0]}, prints
 * "held", and lets go when its stdin closes (or it is killed).
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (ApplyLock lock = ApplyLock.acquire(Path.of(args[0]), Duration.ofSeconds(10))) {
            System.out.println("held " + lock.file());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        }
    }
}
