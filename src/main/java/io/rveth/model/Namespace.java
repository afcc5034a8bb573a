package io.rveth.model;

/**
 * A named network namespace rveth needs. {@code managed} is true when rveth creates it
 * ({@code create-netns: true}); then it also keeps its loopback up. Live, {@code managed}
 * reports whether {@code lo} is up, so a desired {@code true} against a live {@code false}
 * is one {@code link set lo up}.
 */
public record Namespace(Netns netns, boolean managed) {
}
