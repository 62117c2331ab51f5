package io.countersign.server.evidence;

import io.countersign.server.evidence.EvidenceAnalysis.ExceptionRow;
import io.countersign.server.evidence.EvidenceAnalysis.PolicyRow;
import io.countersign.server.evidence.EvidenceAnalysis.SodRow;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The package's readable summary: one self-contained HTML file (no script, no external CSS or
 * fonts) with the key figures, two inline SVG charts (decisions over time, time to decision),
 * the separation-of-duties and break-glass results, the exceptions, the policy versions and the
 * control map. Deterministic: no "generated at", so that a verifier rebuilds the same bytes.
 */
final class SummaryHtml {
    private SummaryHtml() {}

    static String render(EvidenceAnalysis a, LogHead head) {
        StringBuilder h = new StringBuilder(16_384);
        h.append(
                        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Countersign evidence ")
                .append(esc(a.period().from().toString()))
                .append(" to ")
                .append(esc(a.period().to().toString()))
                .append("</title>\n<style>\n")
                .append(
                        "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}\n")
                .append(
                        "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde1e8;padding-bottom:4px}\n")
                .append(".muted{color:#5e6675}.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}\n")
                .append(
                        ".tile{border:1px solid #dde1e8;border-radius:8px;padding:10px 14px;min-width:120px}.tile b{display:block;font-size:22px}\n")
                .append(
                        ".charts{display:flex;flex-wrap:wrap;gap:18px}.chart{border:1px solid #dde1e8;border-radius:8px;padding:10px;max-width:100%;box-sizing:border-box}\n")
                // A phone (390 px) scrolls a wide table inside its box, never the page; charts scale down.
                .append(
                        "svg{max-width:100%;height:auto}.wide{overflow-x:auto;max-width:100%}p{overflow-wrap:anywhere}\n")
                .append(
                        "table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;vertical-align:top}\n")
                .append(
                        "th{background:#f5f7fa}.bad{color:#b3261e;font-weight:600}.ok{color:#2d6a4f}code{font-size:12px;word-break:break-all}\n")
                .append(
                        ".legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\n")
                .append("</style></head><body>\n");
        h.append("<h1>Privileged actions by agents: SOC 2 evidence</h1>\n<p class=\"muted\">Period <b>")
                .append(esc(a.period().from().toString()))
                .append("</b> to <b>")
                .append(esc(a.period().to().toString()))
                .append("</b> (requests created in [from, to)). Log <code>")
                .append(esc(head.origin()))
                .append("</code>, signed checkpoint of ")
                .append(head.size())
                .append(" entries, root <code>")
                .append(esc(head.root()))
                .append("</code>; entries ")
                .append(head.first())
                .append(" to ")
                .append(head.end() - 1)
                .append(" held in full, ")
                .append(head.cited())
                .append(
                        " entries cited with inclusion proofs. Verify offline: <code>countersign audit verify --export FILE.zip --key KEY</code>.</p>\n");

        EvidenceAnalysis.Timings timings = a.timings();
        Map<String, Long> outcomes = a.outcomes();
        h.append("<div class=\"tiles\">");
        tile(h, "requests", Long.toString(a.requests().size()));
        tile(h, "allowed by policy", Long.toString(outcomes.getOrDefault("allowed", 0L)));
        tile(h, "approved by humans", Long.toString(outcomes.getOrDefault("approved", 0L)));
        tile(
                h,
                "denied",
                Long.toString(outcomes.getOrDefault("denied", 0L) + outcomes.getOrDefault("denied by policy", 0L)));
        tile(h, "expired", Long.toString(timings.expired()));
        tile(
                h,
                "median time to decision",
                timings.percentile(50).map(SummaryHtml::human).orElse("–"));
        tile(
                h,
                "p90 time to decision",
                timings.percentile(90).map(SummaryHtml::human).orElse("–"));
        long violations = a.sod().stream().filter(SodRow::violation).count();
        tile(h, "separation-of-duties violations", Long.toString(violations));
        tile(
                h,
                "break-glass (open reviews)",
                a.requests().stream().filter(r -> r.breakGlass().isPresent()).count() + " ("
                        + a.requests().stream()
                                .filter(r -> r.breakGlass()
                                        .filter(RequestRecord.BreakGlassRecord::reviewOpen)
                                        .isPresent())
                                .count()
                        + ")");
        h.append("</div>\n");

        h.append("<h2>Decisions over time and time to decision</h2>\n<div class=\"charts\">");
        SummaryCharts.decisionsOverTime(h, a);
        SummaryCharts.timeToDecision(h, timings);
        h.append("</div>\n<p class=\"legend\">");
        for (String outcome : EvidenceAnalysis.OUTCOMES) {
            h.append("<span><i style=\"background:")
                    .append(SummaryCharts.COLORS.get(outcome))
                    .append("\"></i>")
                    .append(esc(outcome))
                    .append("</span>");
        }
        h.append("</p>\n");

        h.append("<h2>Separation of duties</h2>\n<p>")
                .append(a.sod().size())
                .append(" request(s) approved by humans; ")
                .append(
                        violations == 0
                                ? "<span class=\"ok\">no approver was the requesting agent or the human it acted for.</span>"
                                : "<span class=\"bad\">" + violations + " violation(s).</span>")
                .append(" (sod.csv)</p>\n");
        table(
                h,
                List.of("request", "agent", "on behalf of", "approvers", "result"),
                a.sod().stream()
                        .map(row -> List.of(
                                row.request().id(),
                                row.request().agent(),
                                row.request().onBehalfOf(),
                                String.join(", ", row.request().approvers()),
                                row.result()))
                        .toList());

        h.append("<h2>Break-glass and follow-up reviews</h2>\n");
        table(
                h,
                List.of("request", "action", "used by", "at", "reason", "review"),
                a.requests().stream()
                        .filter(r -> r.breakGlass().isPresent())
                        .map(r -> {
                            RequestRecord.BreakGlassRecord bg = r.breakGlass().orElseThrow();
                            return List.of(
                                    r.id(),
                                    r.action() + " " + r.resource(),
                                    bg.usedBy(),
                                    bg.usedAt().toString(),
                                    bg.reason(),
                                    EvidenceFiles.review(bg));
                        })
                        .toList());

        h.append("<h2>Exceptions</h2>\n");
        table(
                h,
                List.of("at", "kind", "request", "agent", "action", "detail"),
                a.exceptions().stream()
                        .map((ExceptionRow e) -> List.of(
                                e.at().toString(),
                                e.kind(),
                                e.request(),
                                e.agent(),
                                e.action() + " " + e.resource(),
                                e.detail()))
                        .toList());

        h.append("<h2>Policy versions</h2>\n");
        table(
                h,
                List.of("loaded at", "event", "version", "file", "by", "decisions in period"),
                a.policies().stream()
                        .map((PolicyRow p) -> List.of(
                                p.at().toString(),
                                p.event(),
                                p.version().isEmpty() ? p.error() : p.version(),
                                p.file(),
                                p.by(),
                                Long.toString(p.decisions())))
                        .toList());

        h.append("<h2>Policy changes</h2>\n");
        table(
                h,
                List.of("loaded at", "from", "to", "how", "proposed by", "approvals", "applied by"),
                a.policyHistory().changes().stream()
                        .map((PolicyHistory.Change c) -> List.of(
                                c.at().toString(),
                                c.from(),
                                c.to(),
                                c.approved() ? "approved change " + c.request() : "loaded from disk without approval",
                                c.proposedBy(),
                                String.join(", ", c.approvals()),
                                c.appliedBy()))
                        .toList());

        h.append("<h2>Refused votes</h2>\n");
        table(
                h,
                List.of("at", "request", "voter", "choice", "channel", "why"),
                a.refusedVotes().stream()
                        .map((EvidenceAnalysis.RefusedVoteRow r) ->
                                List.of(r.at().toString(), r.request(), r.voter(), r.choice(), r.channel(), r.reason()))
                        .toList());

        h.append("<h2>Control map</h2>\n");
        table(
                h,
                List.of("criterion", "what Countersign supports", "evidence"),
                ControlMap.CONTROLS.stream()
                        .map(c -> List.of(c.id() + " " + c.criterion(), c.supports(), String.join(", ", c.files())))
                        .toList());

        h.append(
                "<h2>Population</h2>\n<p>Every request created in the period, and every action an enforcing proxy ran as allowed outright (<code>action.allowed</code>): population.csv and population.jsonl, each row citing the audit entries it comes from.</p>\n");
        table(
                h,
                List.of(
                        "request",
                        "created",
                        "agent",
                        "action",
                        "resource",
                        "effect",
                        "status",
                        "approvers",
                        "outcome"),
                a.requests().stream()
                        .map(r -> List.of(
                                r.id(),
                                r.createdAt().toString(),
                                r.agent(),
                                r.action(),
                                r.resource(),
                                r.effect(),
                                r.status(),
                                String.join(", ", r.approvers()),
                                r.outcome()))
                        .toList());
        h.append("</body></html>\n");
        return h.toString();
    }

    static void tile(StringBuilder h, String label, String value) {
        h.append("<div class=\"tile\"><b>")
                .append(esc(value))
                .append("</b>")
                .append(esc(label))
                .append("</div>");
    }

    static void table(StringBuilder h, List<String> header, List<List<String>> rows) {
        if (rows.isEmpty()) {
            h.append("<p class=\"muted\">None in the period.</p>\n");
            return;
        }
        h.append("<div class=\"wide\"><table><tr>");
        header.forEach(cell -> h.append("<th>").append(esc(cell)).append("</th>"));
        h.append("</tr>\n");
        for (List<String> row : rows) {
            h.append("<tr>");
            for (String cell : row) {
                h.append(cell.startsWith("VIOLATION") ? "<td class=\"bad\">" : "<td>")
                        .append(esc(cell))
                        .append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table></div>\n");
    }

    static String human(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 60) {
            return seconds == 0 && d.toMillis() > 0 ? d.toMillis() + " ms" : seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + " min");
        }
        return seconds / 86_400 + " d" + (seconds % 86_400 / 3600 == 0 ? "" : " " + seconds % 86_400 / 3600 + " h");
    }

    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
