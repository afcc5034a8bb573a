package io.rveth.model;

/** An address on an interface: {@code ip address add <cidr> dev <dev>} in {@code netns}. */
public record Address(Netns netns, String dev, Cidr cidr) {
}
