package io.rveth.apply;

import io.rveth.plan.Change;
import io.rveth.plan.Command;

/**
 * An operation failed while applying: which change, which command, what {@code ip} said,
 * and how the rollback of this run went (see {@link Reconciler#apply}).
 */
public final class ApplyException extends RuntimeException {
    private final Change change;
    private final Command command;
    private final String ipMessage;
    private final String rollback;

    public ApplyException(Change change, Command command, String ipMessage) {
        this(change, command, ipMessage, null);
    }

    private ApplyException(Change change, Command command, String ipMessage, String rollback) {
        super((change == null ? "" : change.address() + ": ") + "\"" + command.shell() + "\" failed: " + ipMessage);
        this.change = change;
        this.command = command;
        this.ipMessage = ipMessage;
        this.rollback = rollback;
    }

    /** The same failure, with how the rollback after it went. */
    public ApplyException withRollback(String outcome) {
        return new ApplyException(change, command, ipMessage, outcome);
    }

    /** How the rollback went, or null when none was attempted (--no-rollback). */
    public String rollback() {
        return rollback;
    }

    public Change change() {
        return change;
    }

    public Command command() {
        return command;
    }
}
