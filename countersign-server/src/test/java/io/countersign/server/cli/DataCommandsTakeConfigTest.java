package io.countersign.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Main;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command that works on a gateway's data ({@code --data DIR}) takes the gateway's config as well
 * ({@code --config FILE}), so it works on the PostgreSQL store the config names the same way it does on a data folder.
 */
class DataCommandsTakeConfigTest {
    @Test
    void everyCommandThatTakesDataAlsoTakesConfig() {
        List<String> dataCommands = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        walk(Main.commandLine(), "countersign", dataCommands, missing);

        assertThat(dataCommands)
                .as("the walk found the data commands")
                .contains(
                        "countersign agents create",
                        "countersign humans create",
                        "countersign evidence export",
                        "countersign audit verify",
                        "countersign audit key",
                        "countersign backup",
                        "countersign restore");
        assertThat(missing).as("data commands without --config").isEmpty();
    }

    private static void walk(CommandLine command, String path, List<String> dataCommands, List<String> missing) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        if (spec.findOption("--data") != null) {
            dataCommands.add(path);
            if (spec.findOption("--config") == null) {
                missing.add(path);
            }
        }
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) { // not an alias of a command already walked
                walk(sub, path + " " + name, dataCommands, missing);
            }
        });
    }
}
