package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.OnBehalfOf;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the cited entries say about the period, ready to be written as files: the population,
 * separation of duties, break-glass reviews, policy versions, identity changes, timings and
 * exceptions. A pure function of the entries and the period, so that a verifier computes the
 * same thing and compares.
 */
record EvidenceAnalysis(
        EvidencePeriod period,
        List<RequestRecord> requests,
        List<SodRow> sod,
        List<PolicyRow> policies,
        List<IdentityRow> identities,
        List<ExceptionRow> exceptions,
        Timings timings,
        List<Inventory.Row> inventory,
        PolicyHistory policyHistory,
        List<RefusedVoteRow> refusedVotes) {

    /** One approved request checked for separation of duties. */
    record SodRow(RequestRecord request, String result, boolean violation) {}

    /** A policy version loaded (or a file rejected) up to the end of the period. */
    record PolicyRow(
            long seq, Instant at, String event, String version, String file, String by, String error, long decisions) {}

    /** An agent or human created, revoked, suspended or resumed in the period. */
    record IdentityRow(long seq, Instant at, String event, String subject, String by) {}

    /**
     * Something an auditor looks at twice: a denial, an expiry, a break-glass, a failed execution,
     * a grant never reported used, a policy loaded from disk without approval (no request: its
     * agent is {@code system}, its action {@code policy.load}).
     */
    record ExceptionRow(
            String request,
            String agent,
            String action,
            String resource,
            String kind,
            Instant at,
            String detail,
            List<Long> seqs) {
        ExceptionRow {
            seqs = List.copyOf(seqs);
        }

        static ExceptionRow of(RequestRecord request, String kind, Instant at, String detail) {
            return new ExceptionRow(
                    request.id(),
                    request.agent(),
                    request.action(),
                    request.resource(),
                    kind,
                    at,
                    detail,
                    request.seqs());
        }
    }

    /** A vote the vote rule refused ({@code vote.refused}): who, on which request, through which channel, why. */
    record RefusedVoteRow(
            long seq,
            Instant at,
            String request,
            String voter,
            String email,
            String choice,
            String channel,
            String status,
            String reason) {}

    /** Time from creation to a human's decision, over the requests a human decided. */
    record Timings(List<Duration> decided, long expired) {
        Optional<Duration> percentile(int p) {
            if (decided.isEmpty()) {
                return Optional.empty();
            }
            // Nearest rank: the smallest value with at least p% of the values at or below it.
            int rank = (int) Math.ceil(p / 100.0 * decided.size());
            return Optional.of(decided.get(Math.max(rank, 1) - 1));
        }
    }

    EvidenceAnalysis {
        requireNonNull(period, "period is null");
        requests = List.copyOf(requests);
        sod = List.copyOf(sod);
        policies = List.copyOf(policies);
        identities = List.copyOf(identities);
        exceptions = List.copyOf(exceptions);
        inventory = List.copyOf(inventory);
        requireNonNull(policyHistory, "policyHistory is null");
        refusedVotes = List.copyOf(refusedVotes);
    }

    static EvidenceAnalysis of(List<LoggedEvent> events, EvidencePeriod period) {
        List<RequestRecord> requests = Population.of(events, period);
        List<PolicyRow> policies = new ArrayList<>();
        List<IdentityRow> identities = new ArrayList<>();
        List<RefusedVoteRow> refusedVotes = new ArrayList<>();
        for (LoggedEvent event : events) {
            switch (event.type()) {
                case "vote.refused" -> {
                    if (period.contains(event.time())) {
                        refusedVotes.add(new RefusedVoteRow(
                                event.seq(),
                                event.time(),
                                event.request().orElse(""),
                                event.text("voter"),
                                event.text("email"),
                                event.text("choice"),
                                event.text("channel"),
                                event.text("status"),
                                event.text("reason")));
                    }
                }
                case "policy.loaded", "policy.rejected" -> {
                    if (event.time().isBefore(period.to())) {
                        String version = event.text("version");
                        policies.add(new PolicyRow(
                                event.seq(),
                                event.time(),
                                event.type(),
                                version,
                                event.text("file"),
                                event.actor(),
                                event.text("error"),
                                0));
                    }
                }
                case "policy.changed" -> {
                    // A change made through the approval flow: who proposed, approved and applied it (the load follows
                    // it).
                    if (event.time().isBefore(period.to())) {
                        List<String> approvers = new ArrayList<>();
                        event.data().path("approvedBy").forEach(approver -> approvers.add(approver.asString()));
                        String by = "proposed by " + event.text("proposedBy") + "; approved by "
                                + String.join(", ", approvers) + "; applied by " + event.text("appliedBy");
                        policies.add(new PolicyRow(
                                event.seq(),
                                event.time(),
                                event.type(),
                                event.text("version"),
                                event.text("file"),
                                by,
                                "",
                                0));
                    }
                }
                case "agent.created",
                        "agent.revoked",
                        "agent.suspended",
                        "agent.resumed",
                        "human.created",
                        "human.revoked",
                        "human.groups_changed" -> {
                    if (period.contains(event.time())) {
                        String subject = !event.text("agent").isEmpty()
                                ? event.text("agent")
                                : !event.text("human").isEmpty() ? event.text("human") : event.text("name");
                        identities.add(
                                new IdentityRow(event.seq(), event.time(), event.type(), subject, event.actor()));
                    }
                }
                default -> {
                    // request events are the population's
                }
            }
        }
        policies = decisionsPerLoad(policies, requests);
        List<Duration> decided = requests.stream()
                .flatMap(r -> r.timeToDecision().stream())
                .sorted()
                .toList();
        long expired =
                requests.stream().filter(r -> r.status().equals("expired")).count();
        PolicyHistory policyHistory = PolicyHistory.of(events, period);
        return new EvidenceAnalysis(
                period,
                requests,
                separationOfDuties(requests),
                policies,
                identities,
                exceptions(requests, policyHistory),
                new Timings(decided, expired),
                Inventory.of(events, period),
                policyHistory,
                refusedVotes);
    }

    /**
     * Each request's decision counted once, on the load of its policy version that was in force
     * when it was created: the latest load of that version at or before it (or, for a request
     * older than every load in view, the first load of its version). A policy loaded again
     * unchanged (a restart, a second node, a reload) is a row of its own with the decisions made
     * after it, so the column adds up to the population instead of repeating it per reload.
     */
    private static List<PolicyRow> decisionsPerLoad(List<PolicyRow> policies, List<RequestRecord> requests) {
        Map<String, List<Integer>> loadsByVersion = new TreeMap<>();
        for (int i = 0; i < policies.size(); i++) {
            PolicyRow row = policies.get(i);
            if (row.event().equals("policy.loaded") && !row.version().isEmpty()) {
                loadsByVersion
                        .computeIfAbsent(row.version(), v -> new ArrayList<>())
                        .add(i);
            }
        }
        long[] counts = new long[policies.size()];
        for (RequestRecord request : requests) {
            List<Integer> loads = loadsByVersion.get(request.policyVersion());
            if (loads == null) {
                continue;
            }
            int chosen = loads.getFirst();
            for (int i : loads) {
                if (!policies.get(i).at().isAfter(request.createdAt())) {
                    chosen = i;
                }
            }
            counts[chosen]++;
        }
        List<PolicyRow> counted = new ArrayList<>(policies.size());
        for (int i = 0; i < policies.size(); i++) {
            PolicyRow p = policies.get(i);
            counted.add(new PolicyRow(p.seq(), p.at(), p.event(), p.version(), p.file(), p.by(), p.error(), counts[i]));
        }
        return counted;
    }

    /**
     * For every request a human approved: no approver is the requesting agent or the human it
     * acted for, by person as the vote rule decides it: the person it resolved to, or a name or
     * email confusable with what was sent (identity.OnBehalfOf#names). Break-glass sets this aside by design,
     * so those rows say so and carry the state of the follow-up review instead.
     */
    private static List<SodRow> separationOfDuties(List<RequestRecord> requests) {
        List<SodRow> rows = new ArrayList<>();
        for (RequestRecord request : requests) {
            if (!request.status().equals("approved") || !request.effect().equals("require_approval")) {
                continue;
            }
            List<String> problems = new ArrayList<>();
            for (RequestRecord.VoteRecord vote : request.votes()) {
                if (!vote.choice().equals("approve")) {
                    continue;
                }
                if (same(vote.voter(), request.agent())) {
                    problems.add(vote.voter() + " is the requesting agent");
                }
                // The vote rule's own test (OnBehalfOf.names), so the package and the gate can't disagree.
                Optional<OnBehalfOf> actingFor = request.actingFor();
                if (actingFor
                        .filter(onBehalfOf -> onBehalfOf.names(vote.person()))
                        .isPresent()) {
                    problems.add(vote.voter() + " is the human the agent acted for ("
                            + actingFor.get().display() + ")");
                }
            }
            Optional<RequestRecord.BreakGlassRecord> glass = request.breakGlass();
            if (glass.isPresent()) {
                RequestRecord.BreakGlassRecord bg = glass.get();
                String review = bg.reviewOpen()
                        ? "review OPEN"
                        : "review acknowledged by " + bg.acknowledgedBy().orElseThrow() + " at "
                                + bg.acknowledgedAt().orElseThrow();
                rows.add(new SodRow(
                        request,
                        "break-glass by " + bg.usedBy() + " (" + review + ")"
                                + (problems.isEmpty() ? "" : "; " + String.join("; ", problems)),
                        false));
            } else if (problems.isEmpty()) {
                rows.add(new SodRow(
                        request,
                        "separated: " + request.approvers().size()
                                + " approver(s), none the agent or the human it acted for",
                        false));
            } else {
                rows.add(new SodRow(request, "VIOLATION: " + String.join("; ", problems), true));
            }
        }
        return rows;
    }

    private static boolean same(String a, String b) {
        return !a.isBlank()
                && a.strip().toLowerCase(Locale.ROOT).equals(b.strip().toLowerCase(Locale.ROOT));
    }

    private static List<ExceptionRow> exceptions(List<RequestRecord> requests, PolicyHistory policyHistory) {
        List<ExceptionRow> rows = new ArrayList<>();
        for (PolicyHistory.Change change : policyHistory.changes()) {
            if (!change.approved()) {
                rows.add(new ExceptionRow(
                        "",
                        "system",
                        "policy.load",
                        change.file(),
                        "policy loaded without approval",
                        change.at(),
                        "version " + change.to() + " replaced " + change.from()
                                + " loaded from disk with no approved change (policy.changed) for it",
                        change.seqs()));
            }
        }
        for (RequestRecord request : requests) {
            if (request.status().equals("denied")) {
                boolean byPolicy = request.effect().equals("deny");
                String detail = byPolicy
                        ? "denied by policy rule(s) " + Csv.join(request.rules())
                        : "denied by " + String.join(", ", request.deniers());
                rows.add(ExceptionRow.of(
                        request,
                        byPolicy ? "denied by policy" : "denied",
                        request.decidedAt().orElse(request.createdAt()),
                        detail));
            }
            if (request.status().equals("expired")) {
                rows.add(ExceptionRow.of(
                        request, "expired", request.decidedAt().orElse(request.createdAt()), "nobody decided in time"));
            }
            request.breakGlass()
                    .ifPresent(bg -> rows.add(ExceptionRow.of(
                            request,
                            "break-glass",
                            bg.usedAt(),
                            "by " + bg.usedBy() + ": " + bg.reason()
                                    + (bg.reviewOpen()
                                            ? " (review open)"
                                            : " (reviewed by "
                                                    + bg.acknowledgedBy().orElseThrow() + ")"))));
            if (request.grantUnreported()) {
                // 67 of 223 in the auditor's probe: an allowed or approved action whose agent never said whether it
                // ran.
                rows.add(ExceptionRow.of(
                        request,
                        "grant not reported used",
                        request.grantExpiresAt().orElseThrow(),
                        "a grant was issued (expiring "
                                + request.grantExpiresAt().orElseThrow()
                                + ") and no execution was reported in the log: the action may have run unreported"));
            }
            if (request.outcome().equals("failed")) {
                rows.add(ExceptionRow.of(
                        request,
                        "execution failed",
                        request.executedAt().orElse(request.createdAt()),
                        "the agent reported a failed execution"));
            }
        }
        rows.sort(Comparator.comparing(ExceptionRow::at).thenComparing(ExceptionRow::request));
        return rows;
    }

    /** Counts per outcome class, in a fixed order for charts and tables. */
    Map<String, Long> outcomes() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (String outcome : OUTCOMES) {
            counts.put(outcome, 0L);
        }
        requests.forEach(r -> counts.merge(r.outcomeClass(), 1L, Long::sum));
        return counts;
    }

    static final List<String> OUTCOMES =
            List.of("allowed", "approved", "denied by policy", "denied", "expired", "cancelled", "pending");

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
    }
}
