package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static io.countersign.server.insights.History.Outcome.DENIED;
import static io.countersign.server.insights.History.Outcome.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplayTest {
    /** History.POLICY, with analytics queries by reporter allowed, rm -rf denied, and file reads of secrets needing ops. */
    private static final String PROPOSED = """
            default: deny
            rules:
              - name: queries-need-a-data-owner
                match: {action: "db.query"}
                when: '!(agent.name == "reporter" && resource.startsWith("db/analytics/"))'
                effect: require_approval
                approval: {groups: [data-owners], quorum: 1, timeout: 1h}
              - name: reporter-reads-analytics
                match: {action: "db.query", resource: "db/analytics/*", agent: "reporter"}
                effect: allow
              - name: shell-needs-ops
                match: {action: "shell.exec"}
                effect: require_approval
                approval: {groups: [ops], quorum: 1, timeout: 1h}
              - name: no-rm-rf
                match: {action: "shell.exec"}
                when: '"command" in params && string(params["command"]).contains("rm -rf")'
                effect: deny
              - name: reads-are-free
                match: {action: "file.read"}
                effect: allow
              - name: secrets-need-ops
                match: {action: "file.read", resource: "files/secrets/*"}
                effect: require_approval
                approval: {groups: [ops], quorum: 1, timeout: 1h}
            """;

    @Test
    void reportsExactlyTheRequestsWhoseDecisionWouldChange_withCountsPerKind() {
        History history = new History();
        List<String> toAllow = new ArrayList<>();
        List<String> toDeny = new ArrayList<>();
        List<String> toApproval = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            toAllow.add(history.add("reporter", "db.query", "db/analytics/t" + i, APPROVED)
                    .id()
                    .value());
            history.add("reporter", "db.query", "db/prod/customers", APPROVED); // still needs a data owner
            history.add("intern", "db.query", "db/analytics/t" + i, DENIED); // another agent: unchanged
            toDeny.add(history.shell("builder", "rm -rf /var/build/" + i, DENIED)
                    .id()
                    .value());
            history.shell("builder", "ls /var/build/" + i, APPROVED); // unchanged
            history.add("reader", "file.read", "files/reports/q" + i, NONE); // unchanged allow
            history.add("reader", "iam.grant", "iam/admin", NONE); // unchanged default deny
        }
        toApproval.add(history.add("reader", "file.read", "files/secrets/db-password", NONE)
                .id()
                .value());

        Replay.Report report =
                Replay.run(Policy.parse("proposed.yaml", PROPOSED), history.requests(), History.START, history.end());

        assertThat(report.replayed()).isEqualTo(history.requests().size());
        assertThat(report.changes())
                .extracting(change -> change.request().id().value())
                .containsExactlyInAnyOrderElementsOf(concat(toAllow, toDeny, toApproval));
        assertThat(report.counts())
                .isEqualTo(Map.of(
                        "require_approval -> allow", 5, "require_approval -> deny", 5, "allow -> require_approval", 1));
        Replay.Change allowed = report.changes().stream()
                .filter(change -> change.request().id().value().equals(toAllow.getFirst()))
                .findFirst()
                .orElseThrow();
        assertThat(allowed.before().rules()).containsExactly("queries-need-a-data-owner");
        assertThat(allowed.after().effect()).isEqualTo(Effect.ALLOW);
        assertThat(allowed.after().rules()).containsExactly("reporter-reads-analytics");
    }

    @Test
    void theSamePolicyChangesNothing() {
        History history = new History();
        for (int i = 0; i < 5; i++) {
            history.add("reporter", "db.query", "db/analytics/t" + i, APPROVED);
            history.shell("builder", "rm -rf /" + i, DENIED);
            history.add("reader", "file.read", "files/x" + i, NONE);
        }

        Replay.Report report =
                Replay.run(Policy.parse("same.yaml", History.POLICY), history.requests(), History.START, history.end());

        assertThat(report.changes()).isEmpty();
        assertThat(report.counts()).isEmpty();
        assertThat(report.replayed()).isEqualTo(15);
    }

    @Test
    void aChangedRequirement_isAChangeOfRulesEvenWithTheSameEffect() {
        History history = new History();
        for (int i = 0; i < 3; i++) {
            history.shell("builder", "make " + i, APPROVED);
            history.add("reporter", "db.query", "db/analytics/t" + i, APPROVED);
        }
        String twoOps = History.POLICY.replace(
                "approval: {groups: [ops], quorum: 1, timeout: 1h}",
                "approval: {groups: [ops], quorum: 2, timeout: 1h}");

        Replay.Report report =
                Replay.run(Policy.parse("two-ops.yaml", twoOps), history.requests(), History.START, history.end());

        assertThat(report.counts()).isEqualTo(Map.of("require_approval (rules)", 3));
        assertThat(report.changes())
                .allSatisfy(
                        change -> assertThat(change.request().action().action()).isEqualTo("shell.exec"));
    }

    @Test
    void requestsDeniedBeforeThePolicyWasAsked_areNotReplayed() {
        History history = new History();
        ApprovalRequest recorded = history.add("reader", "file.read", "files/x", NONE);
        Decision suspended =
                new Decision(Effect.DENY, List.of(), "agent reader is suspended (since ...)", "sha256:old", List.of());
        ApprovalRequest denied = new ApprovalRequest(
                recorded.id(),
                recorded.agent(),
                recorded.action(),
                recorded.digest(),
                suspended,
                io.countersign.workflow.RequestStatus.DENIED,
                List.of(),
                recorded.createdAt(),
                Optional.empty(),
                recorded.decidedAt(),
                recorded.decidedBy(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());

        Replay.Report report =
                Replay.run(Policy.parse("same.yaml", History.POLICY), List.of(denied), History.START, history.end());

        assertThat(report.changes()).isEmpty();
        assertThat(report.notReplayed()).isEqualTo(1);
        assertThat(report.replayed()).isZero();
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> list : lists) {
            all.addAll(list);
        }
        return all;
    }
}
