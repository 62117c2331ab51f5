package io.countersign.server.cli;

import io.countersign.breaker.TrippedBreaker;
import io.countersign.store.GatewayStore;
import io.countersign.workflow.BreakerReset;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "breakers",
        description = "Circuit breakers: list the tripped ones, reset one (logged with who and why).",
        subcommands = {BreakersCommand.ListTripped.class, BreakersCommand.Reset.class})
public final class BreakersCommand {

    @Command(
            name = "list",
            description = "List the breakers tripped for an agent and waiting for a human to reset them.")
    static final class ListTripped implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Override
        public Integer call() {
            List<TrippedBreaker> tripped;
            try (GatewayStore store = data.openStore()) {
                tripped = store.trippedBreakers();
            }
            if (tripped.isEmpty()) {
                System.out.println("No breaker is tripped.");
                return 0;
            }
            System.out.printf(
                    "%-24s %-24s %-26s %6s %-8s %s%n", "AGENT", "BREAKER", "TRIPPED AT", "COUNT", "WINDOW", "REQUEST");
            for (TrippedBreaker trip : tripped) {
                System.out.printf(
                        "%-24s %-24s %-26s %6d %-8s %s%n",
                        trip.agent(),
                        trip.breaker(),
                        trip.trippedAt(),
                        trip.count(),
                        trip.window(),
                        trip.requestId().orElse("-"));
            }
            return 0;
        }
    }

    @Command(
            name = "reset",
            description =
                    "Reset a tripped breaker: the agent's actions are decided by the policy again, counted from zero.")
    static final class Reset implements Callable<Integer> {
        @Parameters(index = "0", description = "the agent")
        String agent;

        @Parameters(
                index = "1",
                description = "the breaker: the rule's name for a rule's breaker, else the breaker's name")
        String breaker;

        @Option(names = "--comment", required = true, description = "why the agent may go on (in the audit log)")
        String comment;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            TrippedBreaker was;
            try (GatewayStore store = data.openStore()) {
                was = new BreakerReset(store, Clock.systemUTC()).reset(agent, breaker, actor, comment);
            }
            System.out.println("Reset breaker '" + was.breaker() + "' of agent " + was.agent() + " (tripped at "
                    + was.trippedAt() + " after " + was.count() + " actions within " + was.window() + ").");
            return 0;
        }
    }
}
