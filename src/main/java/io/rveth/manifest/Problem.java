package io.rveth.manifest;

/** One thing wrong with a manifest, where it is, and what to do about it. */
public record Problem(Location at, String message) implements Comparable<Problem> {
    @Override
    public String toString() {
        return at + ": " + message;
    }

    @Override
    public int compareTo(Problem o) {
        int c = at.file().compareTo(o.at.file());
        if (c == 0) c = Integer.compare(at.line(), o.at.line());
        if (c == 0) c = Integer.compare(at.column(), o.at.column());
        return c != 0 ? c : message.compareTo(o.message);
    }
}
