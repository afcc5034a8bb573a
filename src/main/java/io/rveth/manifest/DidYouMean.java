package io.rveth.manifest;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Suggestions for mistyped keys: the closest known key within a small edit distance. */
final class DidYouMean {
    private DidYouMean() {
    }

    static Optional<String> suggest(String typed, Collection<String> known) {
        return known.stream()
                .filter(k -> distance(typed.toLowerCase(), k) <= Math.max(2, k.length() / 3))
                .min(Comparator.comparingInt((String k) -> distance(typed.toLowerCase(), k)).thenComparing(k -> k));
    }

    /** " (known keys: a, b, c)", to end an unknown-key message. */
    static String list(Collection<String> known) {
        return " (known keys: " + String.join(", ", known.stream().sorted().toList()) + ")";
    }

    /** Levenshtein distance; keys are short, so the quadratic table is fine. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
