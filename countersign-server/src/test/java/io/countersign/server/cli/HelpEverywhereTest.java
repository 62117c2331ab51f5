package io.countersign.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Cli;
import io.countersign.server.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HelpEverywhereTest {
    @TempDir
    Path directory;

    @Test
    void everyCommandAtEveryDepthAnswersHelpWithItsUsage() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertThat(paths)
                .as("the walk found the tree")
                .hasSizeGreaterThan(20)
                .contains(List.of("serve"), List.of("audit", "verify"), List.of("mcp"), List.of("agents", "create"));

        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Cli.Run run = Cli.run(args.toArray(String[]::new));
            String shown = String.join(" ", path);
            assertThat(run.exitCode())
                    .as("countersign %s --help exits 0; printed %s", shown, run.all())
                    .isZero();
            assertThat(run.out()).as("countersign %s --help", shown).startsWith("Usage: countersign " + shown);
            assertThat(run.err()).as("countersign %s --help", shown).isEmpty();
        }
    }

    @Test
    void commandsPrintNoJvmWarnings_likeTheUnsafeCallsOfOldProtobuf() throws Exception {
        // A separate JVM as `java -jar` runs it: the jar's manifest grants sqlite-jdbc native access
        // (Enable-Native-Access), which a plain classpath run grants with the flag below.
        Path policy = directory.resolve("policy.yaml");
        Files.writeString(
                policy,
                "default: deny\nrules:\n  - {name: reads, match: {action: db.query}, when: 'params.kind == \"select\"', effect: allow}\n");
        String data = directory.resolve("data").toString();

        for (List<String> command :
                List.of(List.of("policy", "check", policy.toString()), List.of("agents", "list", "--data", data))) {
            Process process = java(command);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue())
                    .as("countersign %s: %s", command, err)
                    .isZero();
            assertThat(err)
                    .as("countersign %s", command)
                    .doesNotContain("WARNING")
                    .doesNotContain("sun.misc.Unsafe");
        }
    }

    private static Process java(List<String> command) throws IOException {
        List<String> line = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        line.addAll(command);
        return new ProcessBuilder(line)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> into) {
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals(sub.getCommandName())) return; // an alias of a command already walked
            List<String> next = new ArrayList<>(path);
            next.add(name);
            into.add(next);
            collect(sub, next, into);
        });
    }
}
