package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.console.ConsoleConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code console:} section of countersign.yaml: the console's OAuth client at the identity provider. */
class ConsoleConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("countersign.yaml"), yaml);
    }

    @Test
    void theClientId_isRead_andThereIsNoSecretUnlessTheEnvironmentHasOne() throws Exception {
        ConsoleConfig console =
                ConfigFile.load(write("console: {clientId: 0oa-console}\n")).console();

        assertThat(console).isEqualTo(new ConsoleConfig("0oa-console", Optional.empty()));
    }

    @Test
    void withoutASection_thePublicDefaultClientApplies() throws Exception {
        assertThat(ConfigFile.load(write("data: ./data\n")).console()).isEqualTo(ConsoleConfig.defaults());
    }

    @Test
    void mistakes_areNamed_andTheSecretNeverComesFromTheFile() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(write("console: {clientSecret: hunter2}\n")))
                .hasMessageContaining("unknown key 'clientSecret' in console");
        assertThatThrownBy(() ->
                        ConfigFile.load(write("console: {clientSecretEnv: COUNTERSIGN_TEST_SURELY_UNSET_VARIABLE}\n")))
                .hasMessageContaining("COUNTERSIGN_TEST_SURELY_UNSET_VARIABLE, which is not set");
    }

    @Test
    void theSecret_neverPrintsItself() {
        assertThat(new ConsoleConfig("c", Optional.of("hunter2")).toString())
                .doesNotContain("hunter2")
                .contains("***");
    }
}
