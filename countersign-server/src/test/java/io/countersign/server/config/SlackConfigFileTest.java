package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.slack.SlackConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code slack:} section of countersign.yaml: the Slack app's secrets (from the environment), channel and endpoints. */
class SlackConfigFileTest {
    private static final Map<String, String> ENV =
            Map.of("SLACK_BOT_TOKEN", "xoxb-1234-secret-token", "SLACK_SIGNING_SECRET", "8f742231b10e8888");

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("countersign.yaml"), yaml);
    }

    private static Optional<SlackConfig> parse(Map<String, Object> section) {
        return SlackConfig.parse(section, name -> Optional.ofNullable(ENV.get(name)));
    }

    @Test
    void theSection_isRead_withSecretsFromTheEnvironment_andSlacksApiByDefault() {
        SlackConfig slack = parse(Map.of(
                        "botTokenEnv",
                        "SLACK_BOT_TOKEN",
                        "signingSecretEnv",
                        "SLACK_SIGNING_SECRET",
                        "defaultChannel",
                        "C0123ABCD"))
                .orElseThrow();

        assertThat(slack.botToken().reveal()).isEqualTo("xoxb-1234-secret-token");
        assertThat(slack.signingSecret().reveal()).isEqualTo("8f742231b10e8888");
        assertThat(slack.defaultChannel()).isEqualTo("C0123ABCD");
        assertThat(slack.apiBaseUrl()).isEqualTo(URI.create("https://slack.com/api/"));
        assertThat(slack.consoleBaseUrl()).isEmpty();
    }

    @Test
    void theApiBaseUrl_andConsoleBaseUrl_canBeSet() {
        SlackConfig slack = parse(Map.of(
                        "botTokenEnv",
                        "SLACK_BOT_TOKEN",
                        "signingSecretEnv",
                        "SLACK_SIGNING_SECRET",
                        "defaultChannel",
                        "C1",
                        "apiBaseUrl",
                        "http://127.0.0.1:9999/api",
                        "consoleBaseUrl",
                        "https://countersign.example.com/"))
                .orElseThrow();

        assertThat(slack.apiBaseUrl()).isEqualTo(URI.create("http://127.0.0.1:9999/api/"));
        assertThat(slack.consoleBaseUrl()).contains("https://countersign.example.com");
    }

    @Test
    void theSecrets_neverPrintThemselves() {
        SlackConfig slack = parse(Map.of(
                        "botTokenEnv",
                        "SLACK_BOT_TOKEN",
                        "signingSecretEnv",
                        "SLACK_SIGNING_SECRET",
                        "defaultChannel",
                        "C1"))
                .orElseThrow();

        assertThat(slack.toString())
                .doesNotContain("xoxb-1234-secret-token", "8f742231b10e8888")
                .contains("botToken=***", "signingSecret=***");
    }

    @Test
    void withoutASection_thereIsNoSlack() throws Exception {
        assertThat(ConfigFile.load(write("data: ./data\n")).slack()).isEmpty();
    }

    @Test
    void mistakes_areNamed_andTheSecretsNeverComeFromTheFile() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(write("slack: {botToken: xoxb-in-the-file}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'botToken' in slack");
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "slack: {botTokenEnv: COUNTERSIGN_TEST_SURELY_UNSET_VARIABLE, signingSecretEnv: X, defaultChannel: C1}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "countersign.yaml: 'slack.botTokenEnv' names the environment variable COUNTERSIGN_TEST_SURELY_UNSET_VARIABLE, which is not set");
        assertThatThrownBy(() ->
                        parse(Map.of("botTokenEnv", "SLACK_BOT_TOKEN", "signingSecretEnv", "SLACK_SIGNING_SECRET")))
                .hasMessageContaining("'slack.defaultChannel' is missing");
        assertThatThrownBy(() -> parse(Map.of(
                        "botTokenEnv",
                        "SLACK_BOT_TOKEN",
                        "signingSecretEnv",
                        "SLACK_SIGNING_SECRET",
                        "defaultChannel",
                        "C1",
                        "apiBaseUrl",
                        "ftp://slack.example.com/")))
                .hasMessageContaining("slack.apiBaseUrl is 'ftp://slack.example.com/', want an http(s) URL");
    }
}
