package io.countersign.server.cli;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Secret;
import io.countersign.store.sqlite.SqliteStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "agents", description = "Manage agents.", subcommands = AgentsCommand.Create.class)
public final class AgentsCommand {

    @Command(name = "create", description = "Create an agent and print its API key (shown once) alone on the last line.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", description = "the agent's name")
        String name;

        @Option(names = "--label", description = "a label visible to policies, KEY=VALUE (repeatable)")
        Map<String, String> labels = new LinkedHashMap<>();

        @Mixin
        DataOption data;

        @Override
        public Integer call() {
            Names.requireValid("agent", name);
            try (SqliteStore store = data.openStore()) {
                Secret key = new ApiTokens(store, Clock.systemUTC()).issue(new Agent(name, labels));
                System.out.println("Created agent " + name + ". Its API key, shown this once:");
                System.out.println(key.reveal());
            }
            return 0;
        }
    }
}
