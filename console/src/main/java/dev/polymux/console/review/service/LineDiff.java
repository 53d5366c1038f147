package dev.polymux.console.review.service;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff (longest common subsequence of lines) of two pretty-printed manifests: what a reviewer reads to see
 * what changed since the approved version. Manifests are small (the registry takes at most 1 MiB); beyond
 * {@link #MAX_LINES} lines on either side the diff is not computed (the table would be quadratic).
 */
public final class LineDiff {

    public static final int MAX_LINES = 4000;

    public enum Change {
        SAME, ADDED, REMOVED
    }

    /** One line of the diff; {@code before}/{@code after} are its line numbers on each side (0: not on that side). */
    public record Line(Change change, int before, int after, String text) {

        public String sign() {
            return switch (change) {
                case SAME -> " ";
                case ADDED -> "+";
                case REMOVED -> "−";
            };
        }

        public String css() {
            return change.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private LineDiff() {
    }

    /** The diff from {@code before} to {@code after}, or null when either is too long to diff. */
    public static List<Line> of(List<String> before, List<String> after) {
        int n = before.size();
        int m = after.size();
        if (n > MAX_LINES || m > MAX_LINES) {
            return null;
        }
        int[][] common = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                common[i][j] = before.get(i).equals(after.get(j)) ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<Line> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && before.get(i).equals(after.get(j))) {
                lines.add(new Line(Change.SAME, i + 1, j + 1, before.get(i)));
                i++;
                j++;
            } else if (i < n && (j == m || common[i + 1][j] >= common[i][j + 1])) { // removed lines first, as diff prints them
                lines.add(new Line(Change.REMOVED, i + 1, 0, before.get(i)));
                i++;
            } else {
                lines.add(new Line(Change.ADDED, 0, j + 1, after.get(j)));
                j++;
            }
        }
        return lines;
    }

    public static boolean changed(List<Line> lines) {
        return lines != null && lines.stream().anyMatch(l -> l.change() != Change.SAME);
    }
}
