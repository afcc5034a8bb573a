package io.rveth.model;

/**
 * A network namespace, by its name under /var/run/netns. The empty name is the namespace
 * rveth itself runs in ("current"), which is where the host side lives unless the manifest
 * names {@code host.netns}.
 */
public record Netns(String name) implements Comparable<Netns> {
    public static final Netns CURRENT = new Netns("");

    public Netns {
        if (name == null) throw new IllegalArgumentException("netns name is null");
    }

    public boolean isCurrent() {
        return name.isEmpty();
    }

    // Written out, not generated: a plan compares and hashes netns hundreds of thousands of
    // times, and most comparisons are of one instance with itself.
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Netns n && name.equals(n.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public int compareTo(Netns other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return isCurrent() ? "(current)" : name;
    }
}
