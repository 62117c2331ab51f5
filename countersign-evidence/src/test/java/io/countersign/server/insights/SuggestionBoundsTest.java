package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static io.countersign.server.insights.History.Outcome.DENIED;
import static io.countersign.server.insights.History.Outcome.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.Breaker;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The cases of suggestions broader than their evidence, each over a generated history. */
class SuggestionBoundsTest {
    static final String POLICY = """
            default: deny
            rules:
              - name: restarts
                match: {action: "svc.restart"}
                effect: allow
                breaker: {max: 3, per: 1h, then: require_approval, approval: {groups: [ops]}}
              - name: deploys-need-ops
                match: {action: "k8s.deploy"}
                effect: require_approval
                approval: {groups: [ops]}
                breaker: {max: 5, per: 1h, then: deny}
              - name: queries-need-a-data-owner
                match: {action: "db.query"}
                effect: require_approval
                approval: {groups: [data-owners]}
              - name: exports-need-a-data-owner
                match: {action: "db.export"}
                effect: require_approval
                approval: {groups: [data-owners]}
              - name: shell-needs-ops
                match: {action: "shell.exec"}
                when: '!string(params["command"]).startsWith("ls ")'
                effect: require_approval
                approval: {groups: [ops]}
              - name: listing-is-free
                match: {action: "shell.exec"}
                when: 'string(params["command"]).startsWith("ls ")'
                effect: allow
            """;

    private final Policy policy = Policy.parse("policy.yaml", POLICY);

    private List<Suggestion> find(History history) {
        return new SuggestionFinder(10, Optional.of(history.policy()))
                .find(history.requests(), History.START, history.end());
    }

    @Test
    void approvalsABreakerForcedAreNotEvidence_andReplayingTheUnchangedPolicyChangesNothing() {
        History history = new History(policy).every(Duration.ofMinutes(1));
        for (int i = 0; i < 15; i++) {
            history.add("ops-bot", "svc.restart", "svc/api", APPROVED);
        }
        List<ApprovalRequest> held = history.requests().stream()
                .filter(request -> request.decision().effect() == Effect.REQUIRE_APPROVAL)
                .toList();
        assertThat(held).as("the 4th restart within the hour trips the breaker").hasSize(12);

        assertThat(find(history))
                .as("11 of 11 held restarts approved is no reason to loosen")
                .isEmpty();
        assertThat(Replay.run(policy, history.requests(), History.START, history.end())
                        .changes())
                .isEmpty();
        Policy withoutBreaker = Policy.parse(
                "p.yaml",
                POLICY.replace(
                        "    breaker: {max: 3, per: 1h, then: require_approval, approval: {groups: [ops]}}\n", ""));
        assertThat(Replay.run(withoutBreaker, history.requests(), History.START, history.end())
                        .counts())
                .containsExactly(Map.entry("require_approval -> allow", 12));
    }

    @Test
    void anAllowSuggestionCarriesTheBreakerOfTheRuleItSupersedes() {
        History history = new History(policy).every(Duration.ofHours(1));
        for (int i = 0; i < 12; i++) {
            history.add("deployer", "k8s.deploy", "k8s/prod/api", APPROVED);
        }

        Suggestion allow = find(history).getFirst();

        List<Breaker> breakers =
                Policy.parse("s.yaml", "rules:\n" + allow.ruleYaml()).breakers();
        assertThat(breakers).singleElement().satisfies(breaker -> {
            assertThat(breaker.max()).isEqualTo(5);
            assertThat(breaker.per()).isEqualTo(Duration.ofHours(1));
            assertThat(breaker.then()).isEqualTo(Effect.DENY);
        });
        assertThat(allow.note()).hasValueSatisfying(note -> assertThat(note)
                .contains("breaker of rule deploys-need-ops is carried")
                .doesNotContain("startsWith"));
    }

    @Test
    void familiesKeepTheirOwnCounts_andAreNeverJoinedIntoAWiderGlob() {
        History history = new History(policy);
        for (int i = 0; i < 38; i++) {
            history.add("reporter", "db.query", "db/analytics/t" + (i % 6), APPROVED);
        }
        history.decidedBy("carol", Optional.of("OK this time only"));
        history.add("reporter", "db.query", "db/prod/customers", APPROVED);
        history.add("reporter", "db.query", "db/prod/customers", APPROVED);

        List<Suggestion> suggestions = find(history);

        assertThat(suggestions).singleElement().satisfies(allow -> {
            assertThat(allow.count()).isEqualTo(38);
            assertThat(allow.summary())
                    .startsWith("db.query on db/analytics/* (6 resources) by agent reporter was approved 38 of 38");
            assertThat(allow.resources()).hasSize(6).containsEntry("db/analytics/t0", 7);
            assertThat(allow.ruleYaml()).doesNotContain("db/**", "db/prod");
            Policy adopted = Policy.parse("a.yaml", "rules:\n" + allow.ruleYaml());
            assertThat(adopted.decide(input("reporter", "db.query", "db/analytics/t5", Map.of()))
                            .effect())
                    .isEqualTo(Effect.ALLOW);
            assertThat(adopted.decide(input("reporter", "db.query", "db/prod/customers", Map.of()))
                            .effect())
                    .isEqualTo(Effect.DENY);
            assertThat(adopted.decide(input("reporter", "db.query", "db/analytics/never-asked", Map.of()))
                            .effect())
                    .isEqualTo(Effect.DENY);
        });
    }

    @Test
    void denyPhrasesAreWholeWordsOfAMinimumLength_neverAShortSubstring() {
        History history = new History(policy);
        for (int i = 0; i < 10; i++) {
            history.shell("builder", "rm /srv/build/" + i, DENIED);
            history.shell("builder", i % 2 == 0 ? "terraform plan" : "npm run format", APPROVED);
        }

        assertThat(find(history)).as("'rm' is too short to be a phrase").isEmpty();

        History rmrf = new History(policy);
        for (int i = 0; i < 10; i++) {
            rmrf.shell("builder", "rm -rf /srv/build/" + i, DENIED);
            rmrf.shell("builder", i % 2 == 0 ? "terraform plan" : "npm run format", APPROVED);
        }
        Suggestion deny = find(rmrf).getFirst();
        Policy adopted = Policy.parse("a.yaml", "rules:\n" + deny.ruleYaml());
        assertThat(adopted.decide(shell("rm -rf /")).effect()).isEqualTo(Effect.DENY);
        assertThat(adopted.decide(shell("sudo  rm\t-rf /home")).effect()).isEqualTo(Effect.DENY);
        for (String harmless : List.of("terraform plan", "npm run format", "echo farm -rfx", "warm -rf2")) {
            assertThat(adopted.decide(shell(harmless)).rules()).as(harmless).isEmpty();
        }
    }

    @Test
    void aPhraseThatWouldDenyWhatThePolicyAllowedIsNotSuggested() {
        History history = new History(policy);
        for (int i = 0; i < 10; i++) {
            history.shell(i % 2 == 0 ? "builder" : "packer", "cat /secret/" + i + " --all-files", DENIED);
        }
        assertThat(find(history))
                .extracting(Suggestion::summary)
                .singleElement()
                .asString()
                .contains("\"--all-files\"");

        history.shell("builder", "ls --all-files /tmp", NONE); // allowed by listing-is-free

        assertThat(find(history)).as("replay: it would deny an allowed listing").isEmpty();
    }

    @Test
    void resourceConditionsUseWholePathSegments_neverAStringPrefix() {
        History history = new History(policy).every(Duration.ofHours(2));
        for (int i = 0; i < 10; i++) {
            history.add("deployer", "k8s.deploy", "k8s/prod/api", APPROVED);
        }

        Suggestion allow = find(history).getFirst();

        assertThat(allow.ruleYaml() + allow.note().orElseThrow()).doesNotContain("startsWith");
        Policy adopted = Policy.parse("a.yaml", "rules:\n" + allow.ruleYaml());
        assertThat(adopted.decide(input("deployer", "k8s.deploy", "k8s/prod/api", Map.of()))
                        .effect())
                .isEqualTo(Effect.ALLOW);
        assertThat(adopted.decide(input("deployer", "k8s.deploy", "k8s/prod/api-gateway", Map.of()))
                        .effect())
                .isEqualTo(Effect.DENY);
        assertThat(adopted.decide(input("deployer", "k8s.deploy", "k8s/prod/api/v2", Map.of()))
                        .effect())
                .isEqualTo(Effect.DENY);
    }

    @Test
    void theSuggestedAllowBoundsTheParametersToTheRangesAndSetsThatWereApproved() {
        History history = new History(policy);
        for (int i = 0; i < 12; i++) {
            history.add(
                    "exporter",
                    "db.export",
                    "db/analytics/events",
                    params(Map.of("rows", 100 + i * 4_500, "format", i % 2 == 0 ? "csv" : "json")),
                    APPROVED);
        }

        Suggestion allow = find(history).getFirst();

        assertThat(allow.summary()).endsWith("allow it with format in {csv, json}, rows 100..49600");
        Policy adopted = Policy.parse("a.yaml", "rules:\n" + allow.ruleYaml());
        assertThat(export(adopted, Map.of("rows", 49_600, "format", "csv"))).isEqualTo(Effect.ALLOW);
        assertThat(export(adopted, Map.of("rows", 100.0, "format", "json"))).isEqualTo(Effect.ALLOW);
        assertThat(export(adopted, Map.of("rows", 999_999_999, "format", "csv")))
                .isEqualTo(Effect.DENY);
        assertThat(export(adopted, Map.of("rows", 99, "format", "csv"))).isEqualTo(Effect.DENY);
        assertThat(export(adopted, Map.of("rows", "500", "format", "csv"))).isEqualTo(Effect.DENY);
        assertThat(export(adopted, Map.of("rows", 500, "format", "parquet"))).isEqualTo(Effect.DENY);
        assertThat(export(adopted, Map.of("format", "csv")))
                .as("rows was always there")
                .isEqualTo(Effect.DENY);
        assertThat(export(adopted, Map.of("rows", 500, "format", "csv", "where", "1=1")))
                .as("a parameter never approved")
                .isEqualTo(Effect.DENY);
    }

    @Test
    void parametersThatCantBeBoundedMeanNoAllowSuggestion() {
        History history = new History(policy);
        for (int i = 0; i < 25; i++) {
            history.add(
                    "exporter", "db.export", "db/analytics/events", params(Map.of("query", "select " + i)), APPROVED);
        }

        assertThat(find(history))
                .as("25 distinct free-text queries: any query would be allowed")
                .isEmpty();
    }

    private static Effect export(Policy adopted, Map<String, Object> params) {
        return adopted.decide(input("exporter", "db.export", "db/analytics/events", params))
                .effect();
    }

    static ObjectNode params(Map<String, Object> values) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        values.forEach((key, value) -> {
            switch (value) {
                case Integer number -> params.put(key, number);
                case Double number -> params.put(key, number);
                case Boolean bool -> params.put(key, bool);
                default -> params.put(key, value.toString());
            }
        });
        return params;
    }

    private static DecisionInput input(String agent, String action, String resource, Map<String, Object> params) {
        return new DecisionInput(
                Action.of(action, resource, params(params), "test"), new Agent(agent, Map.of()), History.START);
    }

    private static DecisionInput shell(String command) {
        return input("anyone", "shell.exec", "hosts/build-1", Map.of("command", command));
    }
}
