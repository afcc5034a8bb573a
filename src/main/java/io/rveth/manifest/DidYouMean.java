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
                // Short keys allow one edit: otherwise every two-letter word is "close" to "to".
                .filter(k -> distance(typed.toLowerCase(), k) <= (k.length() <= 3 ? 1 : Math.max(2, k.length() / 3)))
                .min(Comparator.comparingInt((String k) -> distance(typed.toLowerCase(), k)).thenComparing(k -> k));
    }

    /** " (known keys: a, b, c)", to end an unknown-key message. */
    static String list(Collection<String> known) {
        return " (known keys: " + String.join(", ", known.stream().sorted().toList()) + ")";
    }

    /**
     * Edit distance counting a swap of two neighbouring letters as one edit ("mut" is one
     * edit from "mtu"): optimal string alignment. Keys are short; the full table is fine.
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
