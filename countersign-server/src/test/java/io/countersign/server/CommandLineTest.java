package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir
    Path directory;

    @Test
    void agentsCreate_printsTheKeyAloneOnTheLastLine_andStoresItHashed() throws Exception {
        Path data = directory.resolve("data");

        Cli.Run created =
                Cli.run("agents", "create", "reporter", "--label", "team=analytics", "--data", data.toString());

        assertThat(created.exitCode()).isZero();
        String key = created.lastLine();
        assertThat(key).matches("csa_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        try (SqliteStore store = SqliteStore.open(data)) {
            assertThat(new ApiTokens(store, Clock.systemUTC()).authenticate(key))
                    .hasValueSatisfying(
                            principal -> assertThat(principal.auditName()).isEqualTo("agent:reporter"));
        }
        String secretPart = key.substring(key.lastIndexOf('_') + 1);
        assertThat(Files.readAllBytes(data.resolve("countersign.db")))
                .asString(StandardCharsets.ISO_8859_1)
                .doesNotContain(secretPart);
    }

    @Test
    void humansCreate_printsTheTokenAloneOnTheLastLine_withGroups() {
        Path data = directory.resolve("data");

        Cli.Run created = Cli.run(
                "humans",
                "create",
                "alice",
                "--email",
                "alice@example.com",
                "--group",
                "data-owners",
                "--group",
                "security",
                "--data",
                data.toString());

        assertThat(created.exitCode()).isZero();
        try (SqliteStore store = SqliteStore.open(data)) {
            assertThat(new ApiTokens(store, Clock.systemUTC()).authenticate(created.lastLine()))
                    .hasValueSatisfying(principal -> assertThat(((Human) principal).groups())
                            .containsExactlyInAnyOrder("data-owners", "security"));
        }
    }

    @Test
    void humansCreate_refusesAHumanWhoseNameOrEmailLooksLikeAnExistingOnes() {
        Path data = directory.resolve("data");
        assertThat(Cli.run("humans", "create", "bob", "--email", "bob@example.com", "--data", data.toString())
                        .exitCode())
                .isZero();

        Cli.Run sameEmail =
                Cli.run("humans", "create", "robert", "--email", "BOB@example.com", "--data", data.toString());
        Cli.Run fullwidthEmail =
                Cli.run("humans", "create", "bobby", "--email", "\uff42ob@example.com", "--data", data.toString());
        Cli.Run lookAlikeName =
                Cli.run("humans", "create", "b0b", "--email", "other@example.com", "--data", data.toString());

        for (Cli.Run refused : List.of(sameEmail, fullwidthEmail, lookAlikeName)) {
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.err())
                    .contains("could be taken for the existing human bob <bob@example.com>")
                    .doesNotContain("Exception");
        }
        assertThat(Cli.run("humans", "create", "carol", "--email", "carol@example.com", "--data", data.toString())
                        .exitCode())
                .isZero();
    }

    @Test
    void creatingATakenName_failsWithAClearMessage() {
        Path data = directory.resolve("data");
        Cli.run("agents", "create", "reporter", "--data", data.toString());

        Cli.Run again = Cli.run("agents", "create", "reporter", "--data", data.toString());

        assertThat(again.exitCode()).isNotZero();
        assertThat(again.err()).contains("reporter").contains("already exists").doesNotContain("Exception");
    }

    @Test
    void badAgentName_isRefused() {
        Cli.Run refused = Cli.run(
                "agents",
                "create",
                "bad name!",
                "--data",
                directory.resolve("data").toString());

        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("agent name 'bad name!'");
    }

    @Test
    void policyCheck_acceptsTheExample_andNamesLineAndRuleOfABadOne() throws Exception {
        Path good = directory.resolve("good.yaml");
        Files.writeString(good, """
                default: deny
                rules:
                  - name: reads
                    match: {action: "db.query"}
                    effect: allow
                """);
        Path badCel = directory.resolve("bad-cel.yaml");
        Files.writeString(badCel, """
                default: deny
                rules:
                  - name: reads
                    match: {action: "db.query"}
                    when: 'parms.kind == "select"'
                    effect: allow
                """);
        Path badYaml = directory.resolve("bad-yaml.yaml");
        Files.writeString(badYaml, "default: deny\nrules:\n  - name: [unclosed\n");

        Cli.Run ok = Cli.run("policy", "check", good.toString());
        Cli.Run cel = Cli.run("policy", "check", badCel.toString());
        Cli.Run yaml = Cli.run("policy", "check", badYaml.toString());

        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).contains("sha256:").contains("1 rule");
        assertThat(cel.exitCode()).isEqualTo(1);
        assertThat(cel.err())
                .contains("bad-cel.yaml")
                .contains("line 5")
                .contains("rule 'reads'")
                .contains("parms")
                .doesNotContain("Exception");
        assertThat(yaml.exitCode()).isEqualTo(1);
        assertThat(yaml.err()).contains("bad-yaml.yaml").contains("line").doesNotContain("\tat ");
    }

    @Test
    void policyCheck_reportsExpiredRulesAndRulesExpiringWithinAWeek_andStillPasses() throws Exception {
        java.time.Instant soon = java.time.Instant.now()
                .plus(java.time.Duration.ofDays(3))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Path file = directory.resolve("expiring.yaml");
        Files.writeString(file, """
                default: deny
                rules:
                  - name: tried-for-a-week
                    match: {action: "db.query"}
                    effect: allow
                    expiresAt: %s
                  - name: over
                    match: {action: "db.export"}
                    effect: allow
                    expiresAt: 2020-01-01T00:00:00Z
                  - name: far-off
                    match: {action: "file.read"}
                    effect: allow
                    expiresAt: 2999-01-01T00:00:00Z
                """.formatted(soon));

        Cli.Run check = Cli.run("policy", "check", file.toString());

        assertThat(check.exitCode()).as(check.all()).isZero();
        assertThat(check.out())
                .contains(
                        "rule 'over' (line 7) expired at 2020-01-01T00:00:00Z: it matches nothing now",
                        "rule 'tried-for-a-week' (line 3) expires at " + soon)
                .doesNotContain("far-off");
    }

    @Test
    void policyCheck_ofAMissingFile_saysSo() {
        Cli.Run missing =
                Cli.run("policy", "check", directory.resolve("nope.yaml").toString());

        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.yaml");
    }

    @Test
    void serveWithAnInvalidPolicy_refusesToStart() throws Exception {
        Path bad = directory.resolve("bad.yaml");
        Files.writeString(bad, "default: maybe\n");

        Cli.Run refused = Cli.run(
                "serve",
                "--policy",
                bad.toString(),
                "--port",
                "0",
                "--data",
                directory.resolve("data").toString());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("bad.yaml").contains("maybe");
    }
}
