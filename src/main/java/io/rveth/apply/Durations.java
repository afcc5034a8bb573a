package io.rveth.apply;

import io.rveth.model.Names;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as rveth's options take them: a whole number and one unit, {@code 500ms},
 * {@code 10s}, {@code 5m}, {@code 1h}; {@code 0} alone is zero. At most {@link #MAX}.
 */
public final class Durations {
    /** The longest duration accepted: longer waits and intervals are mistakes. */
    public static final Duration MAX = Duration.ofHours(24);

    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern DECIMAL = Pattern.compile("(\\d*\\.\\d+)(ms|s|m|h)");
    private static final Pattern OTHER_UNIT = Pattern.compile("\\d+\\s*([A-Za-z]+)");
    private static final String EXAMPLES = "a whole number and a unit: ms, s, m or h (500ms, 10s, 5m, 1h)";

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the text and what a duration looks like
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("an empty duration; give " + EXAMPLES);
        String t = text.strip();
        String quoted = "\"" + Names.printable(t) + "\"";
        if (t.equals("0")) return Duration.ZERO;
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            if (t.startsWith("-")) throw new IllegalArgumentException(quoted + ": a duration cannot be negative; give " + EXAMPLES);
            if (t.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException(quoted + " has no unit; did you mean " + t + "s? Give " + EXAMPLES);
            }
            Matcher decimal = DECIMAL.matcher(t);
            if (decimal.matches()) {
                throw new IllegalArgumentException(quoted + ": use a whole number" + wholeForm(decimal) + "; give " + EXAMPLES);
            }
            Matcher other = OTHER_UNIT.matcher(t);
            if (other.matches()) {
                throw new IllegalArgumentException(quoted + ": unknown unit \"" + other.group(1) + "\"; give " + EXAMPLES);
            }
            throw new IllegalArgumentException(quoted + " is not a duration; give " + EXAMPLES);
        }
        Duration d;
        try {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            d = null;
        }
        if (d == null || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(quoted + " is too long; at most " + format(MAX));
        }
        return d;
    }

    /** " (1500ms)" for 1.5s: the same duration in whole units, when there is one. */
    private static String wholeForm(Matcher decimal) {
        long unitMillis = switch (decimal.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        try {
            long ms = new BigDecimal(decimal.group(1)).multiply(BigDecimal.valueOf(unitMillis)).longValueExact();
            return ms > 0 ? " (" + format(Duration.ofMillis(ms)) + ")" : "";
        } catch (ArithmeticException e) {
            return "";
        }
    }

    /** The shortest exact text for {@code d} in the same syntax: 500ms, 10s, 5m, 1h, 90s, 0s. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms % 1000 != 0) return ms + "ms";
        long s = ms / 1000;
        if (s % 3600 == 0) return s / 3600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }
}
