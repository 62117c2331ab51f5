package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.teams.TeamsConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code teams:} section of countersign.yaml: the bot, the Workflows webhook, or both. */
class TeamsConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("countersign.yaml"), yaml);
    }

    @Test
    void theBot_isRead_withTheBotFrameworkDefaults() throws Exception {
        TeamsConfig teams = ConfigFile.load(write("""
                teams:
                  appId: 6f1a2b3c-0000-4000-8000-00000000b0b0
                  appPassword: demo-password
                  serviceUrl: https://smba.trafficmanager.net/emea/
                  conversationId: "19:approvals@thread.tacv2"
                  users: {6B2F0000-AAAA-4000-8000-000000000001: bob@example.com}
                """)).teams();

        TeamsConfig.Bot bot = teams.bot().orElseThrow();
        assertThat(bot.appId()).isEqualTo("6f1a2b3c-0000-4000-8000-00000000b0b0");
        assertThat(bot.appPassword().reveal()).isEqualTo("demo-password");
        assertThat(bot.tokenUrl())
                .isEqualTo(URI.create("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"));
        assertThat(bot.scope()).isEqualTo("https://api.botframework.com/.default");
        assertThat(bot.openIdMetadataUrl())
                .isEqualTo(URI.create("https://login.botframework.com/v1/.well-known/openidconfiguration"));
        assertThat(bot.issuer()).isEqualTo("https://api.botframework.com");
        assertThat(bot.serviceBase()).isEqualTo("https://smba.trafficmanager.net/emea");
        assertThat(bot.users()).isEqualTo(Map.of("6b2f0000-aaaa-4000-8000-000000000001", "bob@example.com"));
        assertThat(teams.workflowUrl()).isEmpty();
        assertThat(teams.toString()).doesNotContain("demo-password");
    }

    @Test
    void aWorkflowsWebhookAlone_needsNoBot() throws Exception {
        TeamsConfig teams = ConfigFile.load(write("""
                teams: {workflowUrl: "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=s3cret", consoleBaseUrl: https://countersign.example.com/}
                """)).teams();

        assertThat(teams.bot()).isEmpty();
        assertThat(teams.workflowUrl()).isPresent();
        assertThat(teams.consoleBaseUrl()).contains("https://countersign.example.com");
        assertThat(teams.toString()).doesNotContain("s3cret");
    }

    @Test
    void withoutASection_thereIsNoTeams() throws Exception {
        assertThat(ConfigFile.load(write("data: ./data\n")).teams()).isEqualTo(TeamsConfig.none());
        assertThat(TeamsConfig.none().enabled()).isFalse();
    }

    @Test
    void mistakes_areNamed() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(write("teams: {appID: x}\n")))
                .hasMessageContaining("unknown key 'appID' in teams");
        assertThatThrownBy(
                        () -> ConfigFile.load(write("teams: {conversationId: x, workflowUrl: https://x.example/}\n")))
                .hasMessageContaining("'teams.conversationId' is for the bot, which needs 'teams.appId'");
        assertThatThrownBy(() -> ConfigFile.load(write("teams: {appId: a, appPassword: p, conversationId: c}\n")))
                .hasMessageContaining("'teams.serviceUrl' is missing");
        assertThatThrownBy(() -> ConfigFile.load(
                        write("teams: {appId: a, serviceUrl: https://s.example/, conversationId: c}\n")))
                .hasMessageContaining("exactly one of 'teams.appPasswordEnv'");
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "teams: {appId: a, appPasswordEnv: COUNTERSIGN_TEST_SURELY_UNSET_VARIABLE, serviceUrl: https://s.example/, conversationId: c}\n")))
                .hasMessageContaining("COUNTERSIGN_TEST_SURELY_UNSET_VARIABLE, which is not set");
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "teams: {appId: a, appPassword: p, serviceUrl: https://s.example/, conversationId: c, users: {x: not-an-email}}\n")))
                .hasMessageContaining("'teams.users.x' must be an email");
        assertThatThrownBy(() -> ConfigFile.load(write("teams: {workflowUrl: \"ftp://x.example/?sig=s3cret\"}\n")))
                .hasMessageContaining("'teams.workflowUrl' must be an http(s) URL")
                .message()
                .doesNotContain("s3cret");
        assertThatThrownBy(() -> ConfigFile.load(write("teams: {}\n")))
                .hasMessageContaining("needs 'appId' (the bot) or 'workflowUrl'");
    }

    @Test
    void aTeamsConfig_withAnEmptyOptionalEverywhere_isNone() {
        assertThat(new TeamsConfig(Optional.empty(), Optional.empty(), Optional.empty()))
                .isEqualTo(TeamsConfig.none());
    }
}
