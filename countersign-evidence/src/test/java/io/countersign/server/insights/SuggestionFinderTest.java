package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static io.countersign.server.insights.History.Outcome.BREAK_GLASS;
import static io.countersign.server.insights.History.Outcome.DENIED;
import static io.countersign.server.insights.History.Outcome.EXPIRED;
import static io.countersign.server.insights.History.Outcome.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class SuggestionFinderTest {
    private final SuggestionFinder finder = new SuggestionFinder(10);

    private List<Suggestion> find(History history) {
        return finder.find(history.requests(), History.START, history.end());
    }

    @Test
    void suggestsAllowingWhatOneGroupApprovedEveryTime_withTheCommonResourcePrefixAsGlob() {
        History history = new History();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(history.add("reporter", "db.query", "db/analytics/table" + (i % 4), APPROVED)
                    .id()
                    .value());
        }

        List<Suggestion> suggestions = find(history);

        assertThat(suggestions).hasSize(1);
        Suggestion allow = suggestions.getFirst();
        assertThat(allow.effect()).isEqualTo(Effect.ALLOW);
        assertThat(allow.summary())
                .startsWith(
                        "db.query on db/analytics/* (4 resources) by agent reporter was approved 12 of 12 times by data-owners between ");
        assertThat(allow.resources())
                .containsExactly(
                        Map.entry("db/analytics/table0", 3),
                        Map.entry("db/analytics/table1", 3),
                        Map.entry("db/analytics/table2", 3),
                        Map.entry("db/analytics/table3", 3));
        assertThat(allow.count()).isEqualTo(12);
        assertThat(allow.groups()).containsExactly("data-owners");
        assertThat(allow.examples()).hasSize(10).allMatch(ids::contains);
        assertThat(allow.supersedes()).containsExactly("queries-need-a-data-owner");
        assertThat(allow.note()).hasValueSatisfying(note -> assertThat(note).contains("queries-need-a-data-owner"));
        assertThat(allow.from()).isEqualTo(history.requests().getFirst().createdAt());
        assertThat(allow.ruleYaml())
                .contains(
                        "match: {action: \"db.query\", resource: \"db/analytics/*\", agent: \"reporter\"}",
                        "resource in [\"db/analytics/table0\", \"db/analytics/table1\", \"db/analytics/table2\", \"db/analytics/table3\"]",
                        "effect: allow");
    }

    @Test
    void theSuggestedAllowRule_allowsTheseActionsOnceTheApprovalRuleStepsAside_andNoResourceNobodyAskedFor() {
        History history = new History();
        for (int i = 0; i < 10; i++) {
            history.add("reporter", "db.query", "db/analytics/t" + i, APPROVED);
        }
        Suggestion allow = find(history).getFirst();
        Policy adopted =
                Policy.parse("adopted.yaml", "rules:\n" + allow.ruleYaml().indent(2));

        assertThat(adopted.decide(input("reporter", "db.query", "db/analytics/t7"))
                        .effect())
                .isEqualTo(Effect.ALLOW);
        assertThat(adopted.decide(input("reporter", "db.query", "db/analytics/new-table"))
                        .effect())
                .isEqualTo(Effect.DENY);
        assertThat(adopted.decide(input("reporter", "db.query", "db/prod/customers"))
                        .effect())
                .isEqualTo(Effect.DENY);
        assertThat(adopted.decide(input("other-agent", "db.query", "db/analytics/t1"))
                        .effect())
                .isEqualTo(Effect.DENY);
    }

    @Test
    void aMixedHistoryYieldsNoSuggestion() {
        History history = new History();
        for (int i = 0; i < 20; i++) {
            history.add("reporter", "db.query", "db/analytics/t" + i, i == 13 ? DENIED : APPROVED);
        }
        for (int i = 0; i < 20; i++) {
            history.shell("builder", "rm -rf /tmp/cache-" + i, i == 7 ? APPROVED : DENIED);
        }

        assertThat(find(history)).isEmpty();
    }

    @Test
    void anExpiryOrABreakGlassAmongTheApprovalsIsNotUnanimous() {
        History expired = new History();
        History brokenGlass = new History();
        for (int i = 0; i < 12; i++) {
            expired.add("reporter", "db.query", "db/analytics/t" + i, i == 3 ? EXPIRED : APPROVED);
            brokenGlass.add("reporter", "db.query", "db/analytics/t" + i, i == 3 ? BREAK_GLASS : APPROVED);
        }

        assertThat(find(expired)).isEmpty();
        assertThat(find(brokenGlass)).isEmpty();
    }

    @Test
    void fewerDecisionsThanTheMinimumYieldNoSuggestion() {
        History history = new History();
        for (int i = 0; i < 9; i++) {
            history.add("reporter", "db.query", "db/analytics/t" + i, APPROVED);
        }

        assertThat(find(history)).isEmpty();
        assertThat(new SuggestionFinder(9).find(history.requests(), History.START, history.end()))
                .hasSize(1);
    }

    @Test
    void whatThePolicyDecidedAloneIsNotEvidence() {
        History history = new History();
        for (int i = 0; i < 30; i++) {
            history.add("reader", "file.read", "files/report-" + i, NONE);
            history.add("reader", "iam.grant", "iam/role-" + i, NONE);
        }

        assertThat(find(history)).isEmpty();
    }

    @Test
    void suggestsPerResourceFamily_neverJoiningFoldersNoHumanDecidedAcross() {
        History history = new History();
        for (int i = 0; i < 10; i++) {
            history.add("reporter", "db.query", "db/analytics/eu/t" + i, APPROVED);
            history.add("reporter", "db.query", "db/analytics/us/t" + i, APPROVED);
            history.add("reporter", "db.query", "db/prod/customers", i % 2 == 0 ? APPROVED : DENIED);
        }
        for (int i = 0; i < 10; i++) {
            history.add("reporter", "db.query", "db/billing/invoices", APPROVED);
        }

        assertThat(find(history))
                .extracting(Suggestion::summary)
                .satisfiesExactly(
                        eu -> assertThat(eu)
                                .startsWith(
                                        "db.query on db/analytics/eu/* (10 resources) by agent reporter was approved 10 of 10 times"),
                        us -> assertThat(us)
                                .startsWith(
                                        "db.query on db/analytics/us/* (10 resources) by agent reporter was approved 10 of 10 times"),
                        billing -> assertThat(billing)
                                .startsWith(
                                        "db.query on db/billing/invoices by agent reporter was approved 10 of 10 times"));
    }

    @Test
    void suggestsDenyingAParameterPhraseDeniedEveryTime_whateverTheAgent() {
        History history = new History();
        for (int i = 0; i < 12; i++) {
            history.shell(i % 2 == 0 ? "builder" : "cleaner", "rm -rf /var/build/" + i, DENIED);
            history.shell("builder", "ls -la /var/build/" + i, i % 3 == 0 ? DENIED : APPROVED);
        }

        List<Suggestion> suggestions = find(history);

        assertThat(suggestions).hasSize(1);
        Suggestion deny = suggestions.getFirst();
        assertThat(deny.effect()).isEqualTo(Effect.DENY);
        assertThat(deny.summary())
                .startsWith(
                        "shell.exec with command having the words \"rm -rf\" was denied 12 of 12 times by ops between ");
        assertThat(deny.groups()).containsExactly("ops");
        Policy adopted =
                Policy.parse("adopted.yaml", "rules:\n" + deny.ruleYaml().indent(2));
        assertThat(adopted.decide(shell("anyone", "sudo rm -rf /")).effect()).isEqualTo(Effect.DENY);
        assertThat(adopted.decide(shell("anyone", "rm -r /tmp/x")).rules()).isEmpty();
        assertThat(adopted.decide(shell("anyone", "echo farm -rfx")).rules())
                .as("whole words only")
                .isEmpty();
        assertThat(adopted.decide(input("anyone", "shell.exec", "hosts/build-1"))
                        .rules())
                .as("no command param: the rule does not match")
                .isEmpty();
    }

    @Test
    void suggestsDenyingAnActionForAnAgentThatWasDeniedEveryTime() {
        History history = new History();
        for (int i = 0; i < 10; i++) {
            history.add("intern-bot", "db.query", "db/" + i + "/x", DENIED);
            history.add("reporter", "db.query", "db/" + i + "/x", i == 0 ? DENIED : APPROVED);
        }

        List<Suggestion> suggestions = find(history);

        assertThat(suggestions)
                .extracting(Suggestion::summary)
                .singleElement()
                .asString()
                .startsWith("db.query by agent intern-bot was denied 10 of 10 times by data-owners between ")
                .endsWith(": deny it");
        assertThat(suggestions.getFirst().ruleYaml())
                .contains("match: {action: \"db.query\", agent: \"intern-bot\"}", "effect: deny");
    }

    private static DecisionInput input(String agent, String action, String resource) {
        return new DecisionInput(
                Action.of(action, resource, JsonNodeFactory.instance.objectNode(), "test"),
                new Agent(agent, Map.of()),
                History.START);
    }

    private static DecisionInput shell(String agent, String command) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("command", command);
        return new DecisionInput(
                Action.of("shell.exec", "hosts/build-1", params, "test"), new Agent(agent, Map.of()), History.START);
    }
}
