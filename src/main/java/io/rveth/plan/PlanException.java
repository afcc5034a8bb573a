package io.rveth.plan;

import java.util.List;

/** The manifest is valid but cannot be applied to this host as it is; nothing was changed. */
public final class PlanException extends RuntimeException {
    private final List<String> problems;

    public PlanException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
