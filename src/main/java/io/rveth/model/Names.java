package io.rveth.model;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules for names that end up in {@code ip} commands. The kernel's own rules for link
 * names are 1-15 bytes, no '/', ':' or whitespace, not "." or ".."; rveth also refuses
 * quotes, '#' and backslashes and anything outside printable ASCII, because names travel
 * through {@code ip -batch}, which splits lines on blanks and reads quotes and comments.
 */
public final class Names {
    /** IFNAMSIZ - 1: the kernel's limit for an interface name, in bytes. */
    public static final int MAX_IFNAME_BYTES = 15;

    private static final Pattern IFNAME = Pattern.compile("[!-~&&[^/:\"'#\\\\]]+");
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+@-]{0,254}");

    private Names() {
    }

    /** Why {@code name} cannot be an interface name, or empty when it can. */
    public static Optional<String> ifnameProblem(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0) return Optional.of("an interface name cannot be empty");
        if (bytes > MAX_IFNAME_BYTES) {
            return Optional.of("interface name \"" + printable(name) + "\" is " + bytes
                    + " bytes; the kernel allows at most " + MAX_IFNAME_BYTES);
        }
        if (name.equals(".") || name.equals("..") || !IFNAME.matcher(name).matches()) {
            return Optional.of("interface name \"" + printable(name)
                    + "\" may use only printable ASCII without '/', ':', blanks, quotes, '#' or '\\', and cannot be \".\" or \"..\"");
        }
        return Optional.empty();
    }

    /** Why {@code name} cannot be a netns (or container) name, or empty when it can. */
    public static Optional<String> netnsProblem(String name) {
        if (name.isEmpty()) return Optional.of("a netns name cannot be empty");
        if (name.equals(".") || name.equals("..") || !NETNS.matcher(name).matches()) {
            return Optional.of("name \"" + printable(name)
                    + "\" must start with a letter, digit or '_' and use only letters, digits and _ . + @ - (at most 255)");
        }
        return Optional.empty();
    }

    /** A name made safe to print inside a message: control and non-ASCII characters escaped. */
    public static String printable(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().limit(64).forEach(c -> {
            if (c >= 0x20 && c < 0x7f) out.appendCodePoint(c);
            else out.append(String.format(c <= 0xffff ? "\\u%04x" : "\\U%08x", c));
        });
        if (name.codePointCount(0, name.length()) > 64) out.append("...");
        return out.toString();
    }
}
