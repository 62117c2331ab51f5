package io.countersign.server.evidence;

import static io.countersign.server.evidence.SummaryHtml.esc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary's two inline SVG charts: decisions over time (stacked bars by outcome, in the
 * smallest bucket that fits the period in {@value #MAX_BARS} bars) and time to decision (a
 * histogram). Deterministic, like the page they are part of.
 */
final class SummaryCharts {
    static final Map<String, String> COLORS = Map.of(
            "allowed",
            "#4c9a6a",
            "approved",
            "#2f6db5",
            "denied by policy",
            "#8c2d2d",
            "denied",
            "#d0553f",
            "expired",
            "#c9a227",
            "cancelled",
            "#8a8a8a",
            "pending",
            "#b7b7d9");
    private static final List<Duration> BUCKETS = List.of(
            Duration.ofMinutes(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(15),
            Duration.ofHours(1),
            Duration.ofHours(6),
            Duration.ofDays(1),
            Duration.ofDays(7),
            Duration.ofDays(30));
    private static final List<String> BUCKET_NAMES =
            List.of("minute", "5 minutes", "15 minutes", "hour", "6 hours", "day", "week", "30 days");
    private static final int MAX_BARS = 48;
    private static final long[] LATENCY_EDGES = {10, 60, 300, 900, 3600, 14400};
    private static final List<String> LATENCY_LABELS =
            List.of("<10s", "10s-1m", "1-5m", "5-15m", "15-60m", "1-4h", "≥4h");

    private SummaryCharts() {}

    static void decisionsOverTime(StringBuilder h, EvidenceAnalysis a) {
        Instant from = a.period().from();
        Duration length = Duration.between(from, a.period().to());
        Duration bucket = BUCKETS.stream()
                .filter(b -> length.toMillis() / b.toMillis() < MAX_BARS)
                .findFirst()
                .orElse(BUCKETS.getLast());
        int bars = (int) Math.min(MAX_BARS * 4L, (length.toMillis() + bucket.toMillis() - 1) / bucket.toMillis());
        long[][] counts = new long[bars][EvidenceAnalysis.OUTCOMES.size()];
        for (RequestRecord r : a.requests()) {
            int i = (int)
                    Math.min(bars - 1, Duration.between(from, r.createdAt()).toMillis() / bucket.toMillis());
            counts[i][EvidenceAnalysis.OUTCOMES.indexOf(r.outcomeClass())]++;
        }
        long max = 1;
        for (long[] row : counts) {
            max = Math.max(max, java.util.Arrays.stream(row).sum());
        }
        int width = 520;
        int height = 220;
        int left = 36;
        int bottom = 30;
        double barWidth = (width - left - 8) / (double) bars;
        h.append("<div class=\"chart\"><b>Requests created per ")
                .append(BUCKET_NAMES.get(BUCKETS.indexOf(bucket)))
                .append(", by outcome</b><br>")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" role=\"img\" aria-label=\"requests over time\">");
        axis(h, left, width, height, bottom, max);
        for (int i = 0; i < bars; i++) {
            double y = height - bottom;
            for (int k = 0; k < EvidenceAnalysis.OUTCOMES.size(); k++) {
                if (counts[i][k] == 0) {
                    continue;
                }
                double barHeight = counts[i][k] * (height - bottom - 10) / (double) max;
                y -= barHeight;
                h.append(String.format(
                        Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %d %s</title></rect>",
                        left + i * barWidth + 1,
                        y,
                        Math.max(1, barWidth - 2),
                        barHeight,
                        COLORS.get(EvidenceAnalysis.OUTCOMES.get(k)),
                        esc(from.plus(bucket.multipliedBy(i)).toString()),
                        counts[i][k],
                        esc(EvidenceAnalysis.OUTCOMES.get(k))));
            }
        }
        h.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                left,
                height - 10,
                esc(from.toString())));
        h.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                width - 4,
                height - 10,
                esc(a.period().to().toString())));
        h.append("</svg></div>");
    }

    static void timeToDecision(StringBuilder h, EvidenceAnalysis.Timings timings) {
        long[] counts = new long[LATENCY_LABELS.size()];
        for (Duration d : timings.decided()) {
            int i = 0;
            while (i < LATENCY_EDGES.length && d.toSeconds() >= LATENCY_EDGES[i]) {
                i++;
            }
            counts[i]++;
        }
        long max = Math.max(1, java.util.Arrays.stream(counts).max().orElse(1));
        int width = 420;
        int height = 220;
        int left = 36;
        int bottom = 30;
        double barWidth = (width - left - 8) / (double) counts.length;
        h.append("<div class=\"chart\"><b>Time to a human's decision (")
                .append(timings.decided().size())
                .append(" decided, ")
                .append(timings.expired())
                .append(" expired)</b><br><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" role=\"img\" aria-label=\"time to decision\">");
        axis(h, left, width, height, bottom, max);
        for (int i = 0; i < counts.length; i++) {
            double barHeight = counts[i] * (height - bottom - 10) / (double) max;
            h.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2f6db5\"><title>%s: %d</title></rect>",
                    left + i * barWidth + 3,
                    height - bottom - barHeight,
                    barWidth - 6,
                    barHeight,
                    esc(LATENCY_LABELS.get(i)),
                    counts[i]));
            h.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    left + (i + 0.5) * barWidth,
                    height - 12,
                    esc(LATENCY_LABELS.get(i))));
        }
        h.append("</svg></div>");
    }

    private static void axis(StringBuilder h, int left, int width, int height, int bottom, long max) {
        h.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9aa3b2\"/>",
                left,
                height - bottom,
                width - 4,
                height - bottom));
        h.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#9aa3b2\"/>",
                left,
                left,
                height - bottom));
        h.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"11\" text-anchor=\"end\">%d</text>", left - 4, max));
        h.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>",
                left - 4,
                height - bottom));
    }
}
