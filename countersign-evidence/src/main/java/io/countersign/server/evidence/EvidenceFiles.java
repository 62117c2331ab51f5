package io.countersign.server.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.countersign.canonical.CanonicalJson;
import io.countersign.server.evidence.EvidenceAnalysis.ExceptionRow;
import io.countersign.server.evidence.EvidenceAnalysis.IdentityRow;
import io.countersign.server.evidence.EvidenceAnalysis.PolicyRow;
import io.countersign.server.evidence.EvidenceAnalysis.SodRow;
import io.countersign.server.evidence.RequestRecord.VoteRecord;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the derived files of a package from an {@link EvidenceAnalysis}: every byte is a
 * function of the cited entries and the period, so that {@code audit verify} can rebuild each
 * file and compare. JSON files are RFC 8785 canonical JSON.
 */
final class EvidenceFiles {
    static final String POPULATION_CSV = "population.csv";
    static final String POPULATION_JSONL = "population.jsonl";
    static final String SOD_CSV = "sod.csv";
    static final String BREAK_GLASS_CSV = "break-glass.csv";
    static final String POLICIES_CSV = "policies.csv";
    static final String POLICY_CHANGES_CSV = "policy-changes.csv";
    static final String REFUSED_VOTES_CSV = "refused-votes.csv";
    static final String IDENTITIES_CSV = "identities.csv";
    static final String INVENTORY_CSV = "inventory.csv";
    static final String TIMINGS_CSV = "timings.csv";
    static final String EXCEPTIONS_CSV = "exceptions.csv";
    static final String STATS_JSON = "stats.json";
    static final String CONTROL_MAP_JSON = "control-map.json";
    static final String SUMMARY_HTML = "summary.html";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private EvidenceFiles() {}

    /** Every derived file but the manifest, by name, in a fixed order. */
    static Map<String, byte[]> write(EvidenceAnalysis analysis, LogHead head) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(POPULATION_CSV, populationCsv(analysis.requests()));
        files.put(POPULATION_JSONL, populationJsonl(analysis.requests()));
        files.put(SOD_CSV, sodCsv(analysis.sod()));
        files.put(BREAK_GLASS_CSV, breakGlassCsv(analysis.requests()));
        files.put(POLICIES_CSV, policiesCsv(analysis.policies()));
        files.put(POLICY_CHANGES_CSV, policyChangesCsv(analysis.policyHistory()));
        files.put(REFUSED_VOTES_CSV, refusedVotesCsv(analysis.refusedVotes()));
        files.put(IDENTITIES_CSV, identitiesCsv(analysis.identities()));
        files.put(INVENTORY_CSV, inventoryCsv(analysis.inventory()));
        files.put(TIMINGS_CSV, timingsCsv(analysis.requests()));
        files.put(EXCEPTIONS_CSV, exceptionsCsv(analysis.exceptions()));
        files.put(STATS_JSON, CanonicalJson.bytes(stats(analysis, head)));
        files.put(CONTROL_MAP_JSON, CanonicalJson.bytes(ControlMap.json()));
        files.put(SUMMARY_HTML, SummaryHtml.render(analysis, head).getBytes(UTF_8));
        // The texts of the versions in force and the diff of each change, as the log holds them (variable in number).
        PolicyHistory history = analysis.policyHistory();
        for (String version : history.versionsWithText(analysis.policies())) {
            files.put(
                    PolicyHistory.textFile(version),
                    PolicyHistory.text(history.texts(), version).getBytes(UTF_8));
        }
        for (PolicyHistory.Change change : history.changes()) {
            PolicyHistory.diffFile(history.texts(), change)
                    .ifPresent(name -> files.put(
                            name, PolicyHistory.diff(history.texts(), change).getBytes(UTF_8)));
        }
        return files;
    }

    static byte[] populationCsv(List<RequestRecord> requests) {
        Csv csv = new Csv(
                "request",
                "created_at",
                "agent",
                "on_behalf_of",
                "on_behalf_of_person",
                "delegation",
                "action",
                "resource",
                "effect",
                "rules",
                "policy_version",
                "status",
                "decided_at",
                "decided_by",
                "approvers",
                "deniers",
                "vote_channels",
                "break_glass",
                "break_glass_review",
                "executed_at",
                "execution_outcome",
                "seconds_to_decision",
                "audit_seqs");
        for (RequestRecord r : requests) {
            csv.row(
                    r.id(),
                    r.createdAt(),
                    r.agent(),
                    r.onBehalfOf(),
                    person(r),
                    r.delegation(),
                    r.action(),
                    r.resource(),
                    r.effect(),
                    Csv.join(r.rules()),
                    r.policyVersion(),
                    r.status(),
                    text(r.decidedAt()),
                    r.decidedBy(),
                    Csv.join(r.approvers()),
                    Csv.join(r.deniers()),
                    Csv.join(r.votes().stream()
                            .map(v -> v.voter() + ":" + v.choice() + "@" + v.channel())
                            .toList()),
                    r.breakGlass().isPresent(),
                    r.breakGlass().map(EvidenceFiles::review).orElse(""),
                    text(r.executedAt()),
                    r.outcome(),
                    r.timeToDecision().map(EvidenceAnalysis::seconds).orElse(""),
                    Csv.join(r.seqs()));
        }
        return csv.bytes();
    }

    static byte[] populationJsonl(List<RequestRecord> requests) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RequestRecord r : requests) {
            ObjectNode row = JSON.objectNode();
            row.put("request", r.id());
            row.put("createdAt", r.createdAt().toString());
            row.put("agent", r.agent());
            row.put("onBehalfOf", r.onBehalfOf().isEmpty() ? null : r.onBehalfOf());
            r.onBehalfOfPerson().ifPresent(person -> row.putObject("onBehalfOfPerson")
                    .put("name", person.name())
                    .put("email", person.email()));
            row.put("delegation", r.delegation());
            row.put("action", r.action());
            row.put("resource", r.resource());
            row.put("effect", r.effect());
            ArrayNode rules = row.putArray("rules");
            r.rules().forEach(rules::add);
            row.put("policyVersion", r.policyVersion());
            row.put("status", r.status());
            row.put("decidedAt", r.decidedAt().map(Instant::toString).orElse(null));
            row.put("decidedBy", r.decidedBy().isEmpty() ? null : r.decidedBy());
            ArrayNode votes = row.putArray("votes");
            for (VoteRecord v : r.votes()) {
                ObjectNode vote = votes.addObject();
                vote.put("voter", v.voter());
                vote.put("email", v.email());
                vote.put("choice", v.choice());
                vote.put("channel", v.channel());
                vote.put("at", v.time().toString());
                vote.put("breakGlass", v.breakGlass());
            }
            r.breakGlass()
                    .ifPresentOrElse(
                            bg -> {
                                ObjectNode glass = row.putObject("breakGlass");
                                glass.put("usedBy", bg.usedBy());
                                glass.put("reason", bg.reason());
                                glass.put("usedAt", bg.usedAt().toString());
                                glass.put("acknowledgedBy", bg.acknowledgedBy().orElse(null));
                                glass.put(
                                        "acknowledgedAt",
                                        bg.acknowledgedAt()
                                                .map(Instant::toString)
                                                .orElse(null));
                            },
                            () -> row.putNull("breakGlass"));
            row.put("executedAt", r.executedAt().map(Instant::toString).orElse(null));
            row.put("outcome", r.outcome().isEmpty() ? null : r.outcome());
            r.timeToDecision()
                    .ifPresentOrElse(
                            d -> row.put("millisToDecision", d.toMillis()), () -> row.putNull("millisToDecision"));
            ArrayNode seqs = row.putArray("auditSeqs");
            r.seqs().forEach(seqs::add);
            out.writeBytes(CanonicalJson.bytes(row));
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static byte[] sodCsv(List<SodRow> rows) {
        Csv csv = new Csv(
                "request",
                "agent",
                "on_behalf_of",
                "on_behalf_of_person",
                "approvers",
                "approver_emails",
                "result",
                "violation",
                "audit_seqs");
        for (SodRow row : rows) {
            RequestRecord r = row.request();
            csv.row(
                    r.id(),
                    r.agent(),
                    r.onBehalfOf(),
                    person(r),
                    Csv.join(r.approvers()),
                    Csv.join(r.votes().stream()
                            .filter(v -> v.choice().equals("approve"))
                            .map(VoteRecord::email)
                            .toList()),
                    row.result(),
                    row.violation(),
                    Csv.join(r.seqs()));
        }
        return csv.bytes();
    }

    private static byte[] breakGlassCsv(List<RequestRecord> requests) {
        Csv csv = new Csv(
                "request",
                "action",
                "resource",
                "used_by",
                "used_at",
                "reason",
                "review",
                "acknowledged_by",
                "acknowledged_at",
                "audit_seqs");
        for (RequestRecord r : requests) {
            r.breakGlass()
                    .ifPresent(bg -> csv.row(
                            r.id(),
                            r.action(),
                            r.resource(),
                            bg.usedBy(),
                            bg.usedAt(),
                            bg.reason(),
                            bg.reviewOpen() ? "open" : "acknowledged",
                            bg.acknowledgedBy().orElse(""),
                            text(bg.acknowledgedAt()),
                            Csv.join(r.seqs())));
        }
        return csv.bytes();
    }

    private static byte[] policiesCsv(List<PolicyRow> rows) {
        Csv csv = new Csv("audit_seq", "at", "event", "version", "file", "by", "error", "decisions_in_period");
        rows.forEach(p -> csv.row(p.seq(), p.at(), p.event(), p.version(), p.file(), p.by(), p.error(), p.decisions()));
        return csv.bytes();
    }

    private static byte[] policyChangesCsv(PolicyHistory history) {
        Csv csv = new Csv(
                "audit_seq",
                "at",
                "from_version",
                "to_version",
                "file",
                "how",
                "request",
                "proposed_by",
                "reason",
                "approvals",
                "applied_by",
                "diff",
                "audit_seqs");
        for (PolicyHistory.Change c : history.changes()) {
            csv.row(
                    c.seq(),
                    c.at(),
                    c.from(),
                    c.to(),
                    c.file(),
                    c.approved() ? "approved change" : "loaded from disk without approval",
                    c.request(),
                    c.proposedBy(),
                    c.reason(),
                    Csv.join(c.approvals()),
                    c.appliedBy(),
                    PolicyHistory.diffFile(history.texts(), c).orElse("(a text is not in the log)"),
                    Csv.join(c.seqs()));
        }
        return csv.bytes();
    }

    private static byte[] refusedVotesCsv(List<EvidenceAnalysis.RefusedVoteRow> rows) {
        Csv csv = new Csv(
                "audit_seq", "at", "request", "voter", "email", "choice", "channel", "request_status", "reason");
        rows.forEach(r -> csv.row(
                r.seq(), r.at(), r.request(), r.voter(), r.email(), r.choice(), r.channel(), r.status(), r.reason()));
        return csv.bytes();
    }

    private static byte[] identitiesCsv(List<IdentityRow> rows) {
        Csv csv = new Csv("audit_seq", "at", "event", "subject", "by");
        rows.forEach(i -> csv.row(i.seq(), i.at(), i.event(), i.subject(), i.by()));
        return csv.bytes();
    }

    private static byte[] inventoryCsv(List<Inventory.Row> rows) {
        Csv csv = new Csv("as_of", "at", "kind", "name", "status", "groups", "roles", "labels", "last_change_seq");
        rows.forEach(r -> csv.row(
                r.asOf(),
                r.at(),
                r.kind(),
                r.name(),
                r.status(),
                Csv.join(r.groups()),
                Csv.join(r.roles()),
                r.labels(),
                r.lastChangeSeq()));
        return csv.bytes();
    }

    private static byte[] timingsCsv(List<RequestRecord> requests) {
        Csv csv =
                new Csv("request", "effect", "status", "created_at", "decided_at", "seconds_to_decision", "decided_by");
        for (RequestRecord r : requests) {
            if (r.effect().equals("require_approval")) {
                csv.row(
                        r.id(),
                        r.effect(),
                        r.status(),
                        r.createdAt(),
                        text(r.decidedAt()),
                        r.timeToDecision().map(EvidenceAnalysis::seconds).orElse(""),
                        r.decidedBy());
            }
        }
        return csv.bytes();
    }

    private static byte[] exceptionsCsv(List<ExceptionRow> rows) {
        Csv csv = new Csv("at", "kind", "request", "agent", "action", "resource", "detail", "audit_seqs");
        rows.forEach(e -> csv.row(
                e.at(), e.kind(), e.request(), e.agent(), e.action(), e.resource(), e.detail(), Csv.join(e.seqs())));
        return csv.bytes();
    }

    static ObjectNode stats(EvidenceAnalysis analysis, LogHead head) {
        ObjectNode stats = JSON.objectNode();
        stats.put("from", analysis.period().from().toString());
        stats.put("to", analysis.period().to().toString());
        // The log range again, beside the period: a changed manifest can then be told from a changed report.
        stats.put("logFirst", head.first());
        stats.put("logEnd", head.end());
        stats.put("requests", analysis.requests().size());
        ObjectNode outcomes = stats.putObject("outcomes");
        analysis.outcomes().forEach(outcomes::put);
        ObjectNode timing = stats.putObject("timeToDecision");
        EvidenceAnalysis.Timings timings = analysis.timings();
        timing.put("decidedByHumans", timings.decided().size());
        putSeconds(timing, "medianSeconds", timings.percentile(50));
        putSeconds(timing, "p90Seconds", timings.percentile(90));
        putSeconds(timing, "maxSeconds", timings.percentile(100));
        stats.put("expired", timings.expired());
        stats.put("exceptions", analysis.exceptions().size());
        stats.put("refusedVotes", analysis.refusedVotes().size());
        stats.put(
                "policyChangesWithoutApproval",
                analysis.policyHistory().changes().stream()
                        .filter(c -> !c.approved())
                        .count());
        stats.put(
                "breakGlass",
                analysis.requests().stream()
                        .filter(r -> r.breakGlass().isPresent())
                        .count());
        stats.put(
                "breakGlassReviewsOpen",
                analysis.requests().stream()
                        .filter(r -> r.breakGlass()
                                .filter(RequestRecord.BreakGlassRecord::reviewOpen)
                                .isPresent())
                        .count());
        stats.put(
                "failedExecutions",
                analysis.requests().stream()
                        .filter(r -> r.outcome().equals("failed"))
                        .count());
        stats.put(
                "separationOfDutiesViolations",
                analysis.sod().stream().filter(SodRow::violation).count());
        stats.put(
                "policyVersions",
                analysis.policies().stream()
                        .filter(p -> p.event().equals("policy.loaded"))
                        .map(PolicyRow::version)
                        .distinct()
                        .count());
        return stats;
    }

    private static void putSeconds(ObjectNode node, String field, Optional<Duration> value) {
        value.ifPresentOrElse(d -> node.put(field, EvidenceAnalysis.seconds(d)), () -> node.putNull(field));
    }

    static String review(RequestRecord.BreakGlassRecord bg) {
        return bg.reviewOpen()
                ? "open"
                : "acknowledged by " + bg.acknowledgedBy().orElseThrow() + " at "
                        + bg.acknowledgedAt().orElseThrow();
    }

    private static String text(Optional<Instant> at) {
        return at.map(Instant::toString).orElse("");
    }

    /** Whom onBehalfOf resolved to at submission, as {@code name <email>}; empty when it resolved to nobody. */
    private static String person(RequestRecord r) {
        return r.onBehalfOfPerson().map(Object::toString).orElse("");
    }
}
