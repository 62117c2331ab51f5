package io.countersign.server.cli;

import io.countersign.policy.Policy;
import io.countersign.server.insights.DecisionHistory;
import io.countersign.server.insights.Dismissals;
import io.countersign.server.insights.EvidenceSummary;
import io.countersign.server.insights.Insights;
import io.countersign.server.insights.ShrinkFindings;
import io.countersign.server.insights.Suggestion;
import io.countersign.server.insights.SuggestionFinder;
import io.countersign.server.policychange.PolicyChanges;
import io.countersign.store.GatewayStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "insights",
        description = "Suggest allow and deny rules from the humans' recorded decisions, with their evidence.",
        subcommands = {InsightsCommand.Dismiss.class, InsightsCommand.Restore.class})
public final class InsightsCommand implements Callable<Integer> {
    @Command(
            name = "dismiss",
            description =
                    "Set a suggestion (its rule name) or a finding (its id) aside, for good or with --snooze for a"
                            + " while; audited.")
    static final class Dismiss implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Parameters(index = "0", description = "the suggestion's rule name or the finding's id")
        String item;

        @Option(names = "--reason", required = true, description = "why (kept in the audit log)")
        String reason;

        @Option(names = "--snooze", description = "only for this long: 90s, 12h, 30d (default: for good)")
        String snooze;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            Optional<java.time.Duration> snoozeFor = Optional.ofNullable(snooze).map(DecisionHistory::parseWindow);
            io.countersign.insights.Dismissal dismissal;
            try (GatewayStore store = data.openStore()) {
                dismissal = new Dismissals(store, Clock.systemUTC()).dismiss(item, reason, snoozeFor, actor);
            }
            System.out.println(dismissal
                    .until()
                    .map(until -> "Snoozed " + item + " until " + until)
                    .orElse("Dismissed " + item));
            return 0;
        }
    }

    @Command(name = "restore", description = "Bring a dismissed or snoozed suggestion or finding back; audited.")
    static final class Restore implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Parameters(index = "0", description = "the suggestion's rule name or the finding's id")
        String item;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            boolean restored;
            try (GatewayStore store = data.openStore()) {
                restored = new Dismissals(store, Clock.systemUTC()).restore(item, actor);
            }
            if (!restored) {
                System.err.println(item + " is neither dismissed nor snoozed");
                return 1;
            }
            System.out.println("Restored " + item);
            return 0;
        }
    }

    @Mixin
    DataOption data;

    @Option(names = "--since", description = "how far back to look: 90s, 12h, 30d (default 30d)")
    String since = "30d";

    @Option(
            names = "--min",
            description = "decisions a suggestion needs, all the same way (default "
                    + SuggestionFinder.DEFAULT_MIN_COUNT + ")")
    int min = SuggestionFinder.DEFAULT_MIN_COUNT;

    @Option(
            names = "--policy",
            description = "the policy deciding now: its breakers are carried onto suggestions, and what it already does"
                    + " is not suggested again")
    Path policy;

    @Override
    public Integer call() {
        Insights.Suggestions suggestions;
        try (GatewayStore store = data.openStore()) {
            Optional<Policy> current = Optional.ofNullable(policy).map(Policy::load);
            suggestions = new Insights(store, Clock.systemUTC(), PolicyChanges::isSystemRequest, () -> current)
                    .suggestions(DecisionHistory.parseWindow(since), min);
        }
        DecisionHistory history = suggestions.history();
        System.out.println(history.requests().size() + " request(s) from " + history.from() + " to " + history.to()
                + "; a suggestion needs " + min + " human decisions, all the same way");
        suggestions
                .setAside()
                .forEach(dismissal -> System.out.println("set aside: " + dismissal.item() + " by "
                        + dismissal.by()
                        + dismissal.until().map(until -> " until " + until).orElse("") + ": "
                        + dismissal.reason()));
        for (ShrinkFindings.Finding finding : suggestions.findings()) {
            System.out.println("shrink [" + finding.id() + "]: " + finding.summary() + ": " + finding.suggestion()
                    + (finding.replayChanges() >= 0
                            ? " (replay: " + finding.replayChanges() + " decision(s) change)"
                            : ""));
        }
        if (suggestions.items().isEmpty()) {
            System.out.println("no suggestions");
            return 0;
        }
        int n = 1;
        for (Suggestion suggestion : suggestions.items()) {
            System.out.println();
            System.out.println(n++ + ". " + suggestion.summary());
            System.out.println("   evidence: " + suggestion.count() + " request(s)"
                    + (suggestion.resources().size() > 1 ? ", per resource " + suggestion.resources() : ""));
            suggestion.evidence().comments().forEach(comment -> System.out.println("   said: " + comment));
            for (EvidenceSummary.Example example : suggestion.evidence().examples()) {
                System.out.println("   e.g. " + example.id() + " " + example.createdAt() + " " + example.resource()
                        + " decided by " + String.join(", ", example.decidedBy()) + " after "
                        + example.took().toSeconds() + "s");
            }
            suggestion.note().ifPresent(note -> System.out.println("   note: " + note));
            suggestion.ruleYaml().lines().forEach(line -> System.out.println("   " + line));
        }
        return 0;
    }
}
