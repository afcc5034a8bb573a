package io.rveth.manifest;

/** A place in a manifest file, 1-based, as editors show it. */
public record Location(String file, int line, int column) {
    /** How a message at {@code from} refers to this place: "line 5", or "b.yaml:5" in another file. */
    public String ref(Location from) {
        return from != null && from.file.equals(file) ? "line " + line : file + ":" + line;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
