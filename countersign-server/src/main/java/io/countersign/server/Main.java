package io.countersign.server;

import io.countersign.server.cli.AgentsCommand;
import io.countersign.server.cli.AuditCommand;
import io.countersign.server.cli.BackupCommand;
import io.countersign.server.cli.BreakersCommand;
import io.countersign.server.cli.DbCommand;
import io.countersign.server.cli.EvidenceCommand;
import io.countersign.server.cli.HookCommand;
import io.countersign.server.cli.HumansCommand;
import io.countersign.server.cli.InsightsCommand;
import io.countersign.server.cli.McpCommand;
import io.countersign.server.cli.PolicyCommand;
import io.countersign.server.cli.RestoreCommand;
import io.countersign.server.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * {@code countersign}: the one jar's command line. The standard {@code --help} and {@code --version}
 * options are inherited by every subcommand at every depth, so no command can forget them.
 */
@Command(
        name = "countersign",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        version = "countersign 0.1.0",
        description = "Action-level approval gateway for AI agents.",
        subcommands = {
            ServeCommand.class,
            AgentsCommand.class,
            HumansCommand.class,
            PolicyCommand.class,
            InsightsCommand.class,
            AuditCommand.class,
            DbCommand.class,
            McpCommand.class,
            HookCommand.class,
            BreakersCommand.class,
            EvidenceCommand.class,
            BackupCommand.class,
            RestoreCommand.class
        })
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The whole command tree, with its error handling; tests walk it. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Expected failures (a bad file, a taken name) are one clear line, not a stack trace.
            cmd.getErr().println("countersign: " + e.getMessage());
            return 1;
        });
        return commandLine;
    }
}
