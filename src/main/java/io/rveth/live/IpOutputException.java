package io.rveth.live;

/** {@code ip} printed something rveth cannot read; acting on a guess could destroy things. */
public final class IpOutputException extends RuntimeException {
    public IpOutputException(String message) {
        super(message);
    }
}
