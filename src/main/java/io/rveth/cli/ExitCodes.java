package io.rveth.cli;

/** Every exit code rveth uses, in one place (printed in --help). */
public final class ExitCodes {
    /** Success; for apply, converged (changed or not). */
    public static final int OK = 0;
    /** Runtime error: an ip command failed, live state conflicts, verification failed. */
    public static final int ERROR = 1;
    /** With --detailed-exitcode: success, and changes are pending (drift). */
    public static final int CHANGES_PENDING = 2;
    /** Bad usage: unknown flag, missing argument, unreadable file. */
    public static final int USAGE = 64;
    /** The manifest is invalid: YAML, keys, types or rules. */
    public static final int INVALID_MANIFEST = 65;

    static final String HELP = "%nExit codes:%n"
            + "  0   success (apply: converged)%n"
            + "  1   runtime error (ip failed, live conflict, verification failed, stale plan)%n"
            + "  2   plan --detailed-exitcode: changes are pending%n"
            + "  64  bad usage%n"
            + "  65  invalid manifest%n";

    private ExitCodes() {
    }
}
