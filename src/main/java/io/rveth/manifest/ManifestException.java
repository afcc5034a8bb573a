package io.rveth.manifest;

import java.util.List;
import java.util.stream.Collectors;

/** A manifest that cannot be used: every problem found, sorted by place. */
public final class ManifestException extends Exception {
    private final List<Problem> problems;

    public ManifestException(List<Problem> problems) {
        super(problems.stream().sorted().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = problems.stream().sorted().toList();
    }

    public List<Problem> problems() {
        return problems;
    }
}
