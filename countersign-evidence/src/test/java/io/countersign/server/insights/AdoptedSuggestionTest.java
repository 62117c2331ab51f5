package io.countersign.server.insights;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Suggestions know the current policy: one adopted the way its note says is not suggested again. */
class AdoptedSuggestionTest {
    private static final String ANALYTICS = "suggested-allow-db.query-reporter-db-analytics";

    @Test
    void aSuggestionAdoptedAsItsNoteSays_isNotSuggestedAgain_whileTheOthersStay() {
        History month = GeneratedMonthTest.month();
        Policy before = Policy.parse("policy.yaml", SuggestionBoundsTest.POLICY);
        List<Suggestion> first =
                new SuggestionFinder(10, Optional.of(before)).find(month.requests(), History.START, month.end());
        Suggestion analytics = first.stream()
                .filter(suggestion -> suggestion.ruleName().equals(ANALYTICS))
                .findFirst()
                .orElseThrow();
        Matcher when = Pattern.compile("add to their 'when': (!\\(.*\\)), then check")
                .matcher(analytics.note().orElseThrow());
        assertThat(when.find()).as(analytics.note().orElseThrow()).isTrue();
        String adoptedText = SuggestionBoundsTest.POLICY.replace(
                        "    match: {action: \"db.query\"}\n",
                        "    match: {action: \"db.query\"}\n    when: '" + when.group(1) + "'\n")
                + analytics.ruleYaml().indent(2);
        Policy adopted = Policy.parse("adopted.yaml", adoptedText);
        ApprovalRequest evidence = month.requests().stream()
                .filter(request ->
                        request.id().value().equals(analytics.examples().getFirst()))
                .findFirst()
                .orElseThrow();
        assertThat(adopted.decide(new DecisionInput(evidence.action(), evidence.agent(), evidence.createdAt()))
                        .effect())
                .isEqualTo(Effect.ALLOW);

        List<String> again = new SuggestionFinder(10, Optional.of(adopted))
                .find(month.requests(), History.START, month.end()).stream()
                        .map(Suggestion::ruleName)
                        .toList();

        assertThat(again)
                .doesNotContain(ANALYTICS)
                .containsExactlyElementsOf(first.stream()
                        .map(Suggestion::ruleName)
                        .filter(name -> !name.equals(ANALYTICS))
                        .toList());
    }
}
