package io.rveth.model;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * One end of a veth pair: its netns and name, and the settings rveth may manage on it.
 * In desired state an empty {@code mtu} or {@code mac} means "whatever the kernel chose";
 * live state always fills them in.
 */
public record Endpoint(Netns netns, String name, OptionalInt mtu, Optional<String> mac, boolean up) {
}
