package io.rveth.apply;

import io.rveth.plan.Change;
import io.rveth.plan.Command;

/**
 * An operation failed while applying: which change, which command, and what {@code ip}
 * said. Everything before it in the plan was applied; nothing after it was attempted.
 */
public final class ApplyException extends RuntimeException {
    private final Change change;
    private final Command command;

    public ApplyException(Change change, Command command, String ipMessage) {
        super((change == null ? "" : change.address() + ": ") + "\"" + command.shell() + "\" failed: " + ipMessage);
        this.change = change;
        this.command = command;
    }

    public Change change() {
        return change;
    }

    public Command command() {
        return command;
    }
}
