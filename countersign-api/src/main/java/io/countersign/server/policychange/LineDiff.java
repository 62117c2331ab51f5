package io.countersign.server.policychange;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff of two policy texts for approvers: the changed lines with {@code -} and {@code +},
 * two lines of context around them, and {@code @@ -a,b +c,d @@} hunk headers giving the line
 * numbers (the unified format). Built from a longest common subsequence of the lines; policies
 * are small, and texts over {@link #MAX_LINES} lines get a one-line note instead.
 */
public final class LineDiff {
    static final int MAX_LINES = 3_000;
    private static final int CONTEXT = 2;

    private LineDiff() {}

    /** The diff of {@code before} to {@code after}; empty when the lines are the same. */
    public static String between(String before, String after) {
        List<String> a = requireNonNull(before, "before is null").lines().toList();
        List<String> b = requireNonNull(after, "after is null").lines().toList();
        if (a.size() > MAX_LINES || b.size() > MAX_LINES) {
            return "(" + a.size() + " lines before, " + b.size() + " after: too long to diff here; see the content)\n";
        }
        // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<Line> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                lines.add(new Line(' ', a.get(i), i++, j++));
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                lines.add(new Line('+', b.get(j), i, j++));
            } else {
                lines.add(new Line('-', a.get(i), i++, j));
            }
        }
        return hunks(lines);
    }

    private record Line(char kind, String text, int before, int after) {}

    private static String hunks(List<Line> lines) {
        StringBuilder out = new StringBuilder();
        int k = 0;
        while (k < lines.size()) {
            if (lines.get(k).kind() == ' ') {
                k++;
                continue;
            }
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            // Extend the hunk while the next change is within two context spans.
            int unchanged = 0;
            while (end < lines.size() && unchanged <= 2 * CONTEXT) {
                unchanged = lines.get(end).kind() == ' ' ? unchanged + 1 : 0;
                end++;
            }
            end = Math.min(lines.size(), end - Math.max(0, unchanged - CONTEXT));
            List<Line> hunk = lines.subList(start, end);
            long removed = hunk.stream().filter(line -> line.kind() != '+').count();
            long added = hunk.stream().filter(line -> line.kind() != '-').count();
            out.append("@@ -")
                    .append(hunk.getFirst().before() + 1)
                    .append(',')
                    .append(removed)
                    .append(" +")
                    .append(hunk.getFirst().after() + 1)
                    .append(',')
                    .append(added)
                    .append(" @@\n");
            hunk.forEach(line -> out.append(line.kind()).append(line.text()).append('\n'));
            k = end;
        }
        return out.toString();
    }
}
