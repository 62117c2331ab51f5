package io.countersign.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the evidence concludes from a history: separation of duties, timings, the period's edges. */
class EvidenceAnalysisTest {
    private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
    private static final EvidencePeriod OCTOBER = EvidencePeriod.parse("2026-10-01", "2026-11-01");

    @Test
    void flagsAnApproverWhoIsTheHumanTheAgentActedFor_byNameOrEmail() {
        History history = new History()
                .created(
                        "req_a",
                        T0.plusSeconds(10),
                        "bot",
                        "ann@example.com",
                        "db.export",
                        "db/x",
                        "require_approval",
                        "exports")
                .vote("req_a", T0.plusSeconds(20), "ann", "ANN@example.com", "approve", "slack")
                .resolved("req_a", T0.plusSeconds(20), "approved", "human:ann")
                .created("req_b", T0.plusSeconds(30), "bot", "ann", "db.export", "db/x", "require_approval", "exports")
                .vote("req_b", T0.plusSeconds(40), "ann", "ann@example.com", "approve", "teams")
                .resolved("req_b", T0.plusSeconds(40), "approved", "human:ann")
                .created("req_c", T0.plusSeconds(50), "bot", "ann", "db.export", "db/x", "require_approval", "exports")
                .vote("req_c", T0.plusSeconds(60), "bob", "bob@example.com", "approve", "console")
                .resolved("req_c", T0.plusSeconds(60), "approved", "human:bob");

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.sod())
                .extracting(EvidenceAnalysis.SodRow::violation)
                .containsExactly(true, true, false);
        assertThat(analysis.sod().get(0).result())
                .isEqualTo("VIOLATION: ann is the human the agent acted for (ann@example.com)");
        assertThat(analysis.sod().get(2).result()).startsWith("separated");
    }

    @Test
    void breakGlass_isListedWithItsReview_notCountedAsAViolation() {
        History history = new History()
                .created(
                        "req_a",
                        T0.plusSeconds(10),
                        "bot",
                        "ic",
                        "incident.mitigate",
                        "prod",
                        "require_approval",
                        "incidents")
                .vote("req_a", T0.plusSeconds(20), "ic", "ic@example.com", "approve", "api")
                .breakGlass("req_a", T0.plusSeconds(20), "ic", "SEV1")
                .resolved("req_a", T0.plusSeconds(20), "approved", "human:ic");

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.sod()).singleElement().satisfies(row -> {
            assertThat(row.violation()).isFalse();
            assertThat(row.result()).startsWith("break-glass by ic (review OPEN)");
        });
        assertThat(analysis.exceptions())
                .extracting(EvidenceAnalysis.ExceptionRow::kind)
                .containsExactly("break-glass");
    }

    @Test
    void timeToDecision_countsHumanDecisionsOnly_withNearestRankPercentiles() {
        History history = new History();
        for (int i = 1; i <= 10; i++) {
            String id = "req_" + i;
            Instant created = T0.plus(Duration.ofHours(i));
            history.created(id, created, "bot", null, "db.export", "db/x", "require_approval", "exports")
                    .vote(id, created.plusSeconds(i * 60L), "bob", "bob@example.com", "approve", "slack")
                    .resolved(id, created.plusSeconds(i * 60L), "approved", "human:bob");
        }
        history.created("req_allowed", T0.plusSeconds(5), "bot", null, "db.query", "db/x", "allow", "reads")
                .created("req_late", T0.plusSeconds(6), "bot", null, "db.export", "db/x", "require_approval", "exports")
                .resolved("req_late", T0.plusSeconds(1806), "expired", "system");

        EvidenceAnalysis.Timings timings =
                EvidenceAnalysis.of(history.events(), OCTOBER).timings();

        assertThat(timings.decided()).hasSize(10);
        assertThat(timings.percentile(50)).hasValue(Duration.ofMinutes(5));
        assertThat(timings.percentile(90)).hasValue(Duration.ofMinutes(9));
        assertThat(timings.expired()).isEqualTo(1);
    }

    @Test
    void population_isTheRequestsCreatedInThePeriod_includingTheirLaterEvents() {
        History history = new History()
                .created(
                        "req_september",
                        Instant.parse("2026-09-30T23:59:59.999Z"),
                        "bot",
                        null,
                        "db.query",
                        "db/x",
                        "allow",
                        "reads")
                .created("req_first", OCTOBER.from(), "bot", null, "db.export", "db/x", "require_approval", "exports")
                .created(
                        "req_last",
                        Instant.parse("2026-10-31T23:59:59.999Z"),
                        "bot",
                        null,
                        "db.export",
                        "db/x",
                        "require_approval",
                        "exports")
                .vote("req_last", Instant.parse("2026-11-01T00:10:00Z"), "bob", "bob@example.com", "deny", "slack")
                .resolved("req_last", Instant.parse("2026-11-01T00:10:00Z"), "denied", "human:bob")
                .created("req_november", OCTOBER.to(), "bot", null, "db.query", "db/x", "allow", "reads");

        List<RequestRecord> population = Population.of(history.events(), OCTOBER);

        assertThat(population).extracting(RequestRecord::id).containsExactly("req_first", "req_last");
        assertThat(population.get(1).status()).isEqualTo("denied");
        assertThat(population.get(1).deniers()).containsExactly("bob");
        assertThat(population.get(1).seqs()).hasSize(4);
    }

    @Test
    void actionsAnEnforcingProxyRanAsAllowedOutright_areInThePopulation_asAllowedByPolicy_withTheirOutcome() {
        History history = new History()
                .allowed("alw_september", Instant.parse("2026-09-30T23:59:59Z"), "bot", "sql.select", "pg/a", "reads")
                .allowed("alw_ran", T0.plusSeconds(10), "bot", "sql.select", "pg/main/app/public.orders", "reads")
                .allowedExecuted("alw_ran", T0.plusSeconds(11), "bot", "succeeded")
                .allowed("alw_failed", T0.plusSeconds(20), "bot", "sql.select", "pg/main/app/public.orders", "reads")
                .allowedExecuted("alw_failed", T0.plusSeconds(21), "bot", "failed")
                .allowed("alw_unreported", T0.plusSeconds(30), "bot", "sql.select", "pg/a", "reads");

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.requests())
                .extracting(RequestRecord::id)
                .containsExactly("alw_ran", "alw_failed", "alw_unreported");
        RequestRecord ran = analysis.requests().getFirst();
        assertThat(ran.effect()).isEqualTo("allow");
        assertThat(ran.rules()).containsExactly("reads");
        assertThat(ran.policyVersion()).isEqualTo("sha256:v1");
        assertThat(ran.status()).isEqualTo("approved");
        assertThat(ran.decidedBy()).isEqualTo("policy");
        assertThat(ran.delegation()).isEqualTo("none");
        assertThat(ran.actingFor()).isEmpty();
        assertThat(ran.outcome()).isEqualTo("succeeded");
        assertThat(ran.executedAt()).contains(T0.plusSeconds(11));
        assertThat(ran.seqs()).hasSize(2);
        assertThat(ran.decidedByHuman()).isFalse();
        assertThat(analysis.outcomes()).containsEntry("allowed", 3L);
        assertThat(analysis.exceptions())
                .extracting(EvidenceAnalysis.ExceptionRow::request, EvidenceAnalysis.ExceptionRow::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alw_failed", "execution failed"));
    }

    @Test
    void period_takesDatesAsMidnightUtc_andRefusesAnEmptyOne() {
        assertThat(EvidencePeriod.parse("2026-10-01", "2026-10-02").from()).isEqualTo(T0);
        assertThat(EvidencePeriod.parse("2026-10-01T02:00:00+02:00", "2026-10-02")
                        .from())
                .isEqualTo(T0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvidencePeriod.parse("2026-10-02", "2026-10-01"))
                .hasMessageContaining("the period is empty");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvidencePeriod.parse("last week", "2026-10-01"))
                .hasMessage("from 'last week' is not a date (2026-10-01) or a time (2026-10-01T09:30:00Z)");
    }

    @Test
    void aPolicyChangeMadeThroughApproval_namesWhoProposedApprovedAndAppliedIt() {
        History history = new History()
                .policy(T0.minusSeconds(60), "sha256:old")
                .append(
                        io.countersign.audit.AuditEventType.POLICY_CHANGED,
                        T0.plusSeconds(100),
                        "human:ada",
                        "req_p",
                        d -> {
                            d.put("file", "policy.yaml")
                                    .put("previousVersion", "sha256:old")
                                    .put("version", "sha256:new")
                                    .put("proposedBy", "ann@example.com")
                                    .put("appliedBy", "ada");
                            d.putArray("approvedBy").add("bob").add("cy");
                        })
                .policy(T0.plusSeconds(101), "sha256:new");

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.policies())
                .extracting(EvidenceAnalysis.PolicyRow::event)
                .containsExactly("policy.loaded", "policy.changed", "policy.loaded");
        assertThat(analysis.policies().get(1).by())
                .isEqualTo("proposed by ann@example.com; approved by bob, cy; applied by ada");
        assertThat(analysis.policies().get(1).version()).isEqualTo("sha256:new");
    }

    @Test
    void anIdenticalPolicyReload_countsEachDecisionOnce_onTheLoadInForceWhenItWasMade() {
        History history = new History().policy(T0.minusSeconds(60), "sha256:v1");
        for (int i = 0; i < 2; i++) {
            history.created("req_a" + i, T0.plusSeconds(i), "reporter", null, "db.query", "db/x", "allow", "reads");
        }
        history.policy(T0.plusSeconds(10), "sha256:v1");
        for (int i = 0; i < 3; i++) {
            history.created(
                    "req_b" + i, T0.plusSeconds(20 + i), "reporter", null, "db.query", "db/x", "allow", "reads");
        }
        history.policy(T0.plusSeconds(30), "sha256:v1");

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.policies())
                .extracting(EvidenceAnalysis.PolicyRow::decisions)
                .containsExactly(2L, 3L, 0L);
        String summary = SummaryHtml.render(analysis, new LogHead("o", 1, "r", "k", 0, 1, 1));
        String policyTable =
                summary.substring(summary.indexOf("<h2>Policy versions</h2>"), summary.indexOf("<h2>Control map</h2>"));
        assertThat(policyTable).contains("<td>2</td>").contains("<td>3</td>").doesNotContain("<td>5</td>");
        assertThat(new String(
                                EvidenceFiles.write(analysis, new LogHead("o", 1, "r", "k", 0, 1, 1))
                                        .get(EvidenceFiles.POLICIES_CSV),
                                java.nio.charset.StandardCharsets.UTF_8)
                        .lines()
                        .skip(1)
                        .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(',') + 1)))
                        .sum())
                .as("policies.csv's decisions add up to the population")
                .isEqualTo(analysis.requests().size());
    }

    @Test
    void aGrantIssuedButNeverReportedUsed_isAnException_andAReportedOneIsNot() {
        History history = new History()
                .created("req_ran", T0, "reporter", null, "db.query", "db/x", "allow", "reads")
                .grantIssued("req_ran", T0, T0.plusSeconds(300))
                .executed("req_ran", T0.plusSeconds(5), "reporter", "succeeded")
                .created("req_silent", T0.plusSeconds(10), "reporter", null, "db.query", "db/x", "allow", "reads")
                .grantIssued("req_silent", T0.plusSeconds(10), T0.plusSeconds(310))
                .created("req_denied", T0.plusSeconds(20), "reporter", null, "iam.grant", "iam/x", "deny", "no-iam");

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.exceptions())
                .filteredOn(row -> row.kind().equals("grant not reported used"))
                .singleElement()
                .satisfies(row -> {
                    assertThat(row.request()).isEqualTo("req_silent");
                    assertThat(row.at()).isEqualTo(T0.plusSeconds(310));
                    assertThat(row.detail()).contains("no execution was reported");
                });
        assertThat(new String(
                        EvidenceFiles.write(analysis, new LogHead("o", 1, "r", "k", 0, 1, 1))
                                .get(EvidenceFiles.EXCEPTIONS_CSV),
                        java.nio.charset.StandardCharsets.UTF_8))
                .contains(",grant not reported used,req_silent,")
                .doesNotContain("req_ran");
    }
}
