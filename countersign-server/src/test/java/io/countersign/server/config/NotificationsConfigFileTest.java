package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.outbox.NotificationType;
import io.countersign.server.channels.Backoff;
import io.countersign.server.webhooks.WebhookConfig;
import io.countersign.server.webhooks.WebhookSecret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code outbox:} and {@code webhooks:} sections of countersign.yaml. */
class NotificationsConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("countersign.yaml"), yaml);
    }

    @Test
    void webhooks_andRetries_areRead_withTheSecretFromTheEnvironment() throws Exception {
        NotificationsConfig notifications = ConfigFile.load(write("""
                outbox: {initialBackoff: 2s, maxBackoff: 10m, maxAttempts: 40, pollInterval: 500ms}
                webhooks:
                  - {name: pagerduty, url: "https://events.example.com/countersign", secretEnv: COUNTERSIGN_TEST_WEBHOOK_SECRET}
                  - {name: jira, url: "https://jira.example.com/hook", secretEnv: COUNTERSIGN_TEST_WEBHOOK_SECRET, events: [request.decided]}
                """)).notifications();

        assertThat(notifications.backoff()).isEqualTo(new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(10), 40));
        assertThat(notifications.pollInterval()).isEqualTo(Duration.ofMillis(500));
        WebhookSecret secret = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertThat(notifications.webhooks())
                .containsExactly(
                        new WebhookConfig(
                                "pagerduty",
                                URI.create("https://events.example.com/countersign"),
                                secret,
                                WebhookConfig.DEFAULT_EVENTS),
                        new WebhookConfig(
                                "jira",
                                URI.create("https://jira.example.com/hook"),
                                secret,
                                Set.of(NotificationType.REQUEST_DECIDED)));
    }

    @Test
    void withoutSections_noWebhooks_andTheDefaultRetries() throws Exception {
        NotificationsConfig notifications =
                ConfigFile.load(write("data: ./data\n")).notifications();

        assertThat(notifications).isEqualTo(NotificationsConfig.defaults());
        assertThat(notifications.webhooks()).isEqualTo(List.of());
    }

    @Test
    void mistakes_areNamed_andTheSecretNeverComesFromTheFile() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(
                        write("webhooks: [{name: ops, url: 'https://x.example', secret: whsec_abc}]\n")))
                .hasMessageContaining("unknown key 'secret'");
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "webhooks: [{name: ops, url: 'https://x.example', secretEnv: COUNTERSIGN_TEST_SURELY_UNSET}]\n")))
                .hasMessageContaining("COUNTERSIGN_TEST_SURELY_UNSET, which is not set");
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "webhooks: [{name: ops, url: 'https://x.example', secretEnv: COUNTERSIGN_TEST_WEBHOOK_SECRET, events: [request.approved]}]\n")))
                .hasMessageContaining("unknown notification type 'request.approved'");
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "webhooks: [{name: ops, url: 'ftp://x.example', secretEnv: COUNTERSIGN_TEST_WEBHOOK_SECRET}]\n")))
                .hasMessageContaining("want http(s)");
        assertThatThrownBy(() -> ConfigFile.load(write("outbox: {maxBackoff: 1s, initialBackoff: 5s}\n")))
                .hasMessageContaining("shorter than the initial");
        assertThatThrownBy(() -> ConfigFile.load(write("outbox: {maxAttempts: 0}\n")))
                .hasMessageContaining("maxAttempts is 0");
    }
}
