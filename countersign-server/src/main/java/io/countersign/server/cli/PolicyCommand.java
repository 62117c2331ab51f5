package io.countersign.server.cli;

import io.countersign.policy.Policy;
import io.countersign.policy.PolicyTestCases;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "policy", description = "Check and test policy files.", subcommands = {PolicyCommand.Check.class, PolicyCommand.Test.class})
public final class PolicyCommand {

    @Command(name = "check", description = "Load a policy file and report its version, or the first error with its line and rule.")
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", description = "the policy file")
        Path file;

        @Override
        public Integer call() {
            Policy policy = Policy.load(file);
            int rules = policy.rules().size();
            int breakers = policy.breakers().size();
            System.out.println(file + ": OK, version " + policy.version() + ", " + rules + (rules == 1 ? " rule" : " rules")
                    + (breakers == 0 ? "" : ", " + breakers + (breakers == 1 ? " breaker" : " breakers"))
                    + ", default " + policy.defaultEffect().wireName());
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
}
