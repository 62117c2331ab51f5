package io.countersign.server.cli;

import io.countersign.policy.Policy;
import io.countersign.policy.PolicyTestCases;
import io.countersign.server.insights.DecisionHistory;
import io.countersign.server.insights.Insights;
import io.countersign.server.policychange.PolicyChanges;
import io.countersign.store.GatewayStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "policy",
        description = "Check, test and replay policy files.",
        subcommands = {PolicyCommand.Check.class, PolicyCommand.Test.class, PolicyCommand.Replay.class})
public final class PolicyCommand {

    @Command(
            name = "check",
            description = "Load a policy file and report its version, or the first error with its line and rule.")
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", description = "the policy file")
        Path file;

        @Override
        public Integer call() {
            Policy policy = Policy.load(file);
            int rules = policy.rules().size();
            int breakers = policy.breakers().size();
            System.out.println(
                    file + ": OK, version " + policy.version() + ", " + rules + (rules == 1 ? " rule" : " rules")
                            + (breakers == 0 ? "" : ", " + breakers + (breakers == 1 ? " breaker" : " breakers"))
                            + ", default " + policy.defaultEffect().wireName());
            // Valid all the same: an expired rule loads, it just matches nothing.
            java.time.Instant now = java.time.Instant.now();
            io.countersign.policy.RuleExpiries.of(policy, now, io.countersign.policy.RuleExpiries.SOON)
                    .forEach(expiry -> System.out.println("  " + expiry.describe(now)));
            return 0;
        }
    }

    @Command(name = "test", description = "Run test cases against a policy file; exits 1 when any case fails.")
    static final class Test implements Callable<Integer> {
        @Parameters(index = "0", description = "the policy file")
        Path file;

        @Parameters(index = "1", description = "the cases (YAML)")
        Path cases;

        @Override
        public Integer call() {
            Policy policy = Policy.load(file);
            List<PolicyTestCases.Result> results = PolicyTestCases.load(cases).run(policy);
            long failed = results.stream().filter(result -> !result.passed()).count();
            results.forEach(result -> System.out.println(result.summary()));
            System.out.println((results.size() - failed) + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }
    }

    @Command(
            name = "replay",
            description =
                    "Replay a policy file against the recorded requests; list exactly those whose decision would change.")
    static final class Replay implements Callable<Integer> {
        @Parameters(index = "0", description = "the proposed policy file")
        Path file;

        @Mixin
        DataOption data;

        @Option(names = "--since", description = "how far back to replay: 90s, 12h, 30d (default 30d)")
        String since = "30d";

        @Override
        public Integer call() {
            Policy policy = Policy.load(file);
            io.countersign.server.insights.Replay.Report report;
            try (GatewayStore store = data.openStore()) {
                report = new Insights(store, Clock.systemUTC(), PolicyChanges::isSystemRequest)
                        .replay(policy, DecisionHistory.parseWindow(since));
            }
            System.out.println("replayed " + report.replayed() + " request(s) created from " + report.from() + " to "
                    + report.to() + " against "
                    + file + " (" + report.policyVersion() + ")"
                    + (report.notReplayed() == 0
                            ? ""
                            : "; " + report.notReplayed()
                                    + " denied before the policy (suspended agent, scopes) not replayed"));
            if (report.changes().isEmpty()) {
                System.out.println("no decision would change");
                return 0;
            }
            System.out.println(report.changes().size() + " decision(s) would change:");
            report.counts().forEach((kind, count) -> System.out.println("  " + kind + ": " + count));
            for (io.countersign.server.insights.Replay.Change change : report.changes()) {
                System.out.println(
                        change.request().id() + " " + change.request().createdAt() + " "
                                + change.request().agent().name() + " "
                                + change.request().action().action() + " "
                                + change.request().action().resource() + ": "
                                + change.before().effect().wireName() + " "
                                + change.before().rules() + " -> "
                                + change.after().effect().wireName() + " "
                                + change.after().rules());
            }
            return 0;
        }
    }
}
