package io.rveth.plan;

import java.util.List;

/**
 * The ordered changes that turn live state into desired state. Empty means converged.
 * {@code warnings} are hazards the changes bring that an operator should hear about
 * before applying (they never stop a plan).
 */
public record Plan(List<Change> changes, List<String> warnings) {
    public Plan {
        changes = List.copyOf(changes);
        warnings = List.copyOf(warnings);
    }

    public Plan(List<Change> changes) {
        this(changes, List.of());
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Terraform's counting: a replacement is one add and one destroy. */
    public int toAdd() {
        return (int) changes.stream().filter(c -> c.action() == Action.CREATE || c.action() == Action.REPLACE).count();
    }

    public int toChange() {
        return (int) changes.stream().filter(c -> c.action() == Action.UPDATE).count();
    }

    public int toDestroy() {
        return (int) changes.stream().filter(c -> c.action() == Action.DELETE || c.action() == Action.REPLACE).count();
    }
}
