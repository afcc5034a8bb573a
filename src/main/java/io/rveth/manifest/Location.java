package io.rveth.manifest;

/** A place in a manifest file, 1-based, as editors show it. */
public record Location(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
