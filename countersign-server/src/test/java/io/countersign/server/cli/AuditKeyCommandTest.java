package io.countersign.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Cli;
import io.countersign.server.Gateway;
import io.countersign.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditKeyCommandTest {
    @TempDir
    Path directory;

    @Test
    void printsTheVerifierKeyTheGatewayServes_whichVerifiesAnExportOfThatFolder() throws Exception {
        Path data = directory.resolve("data");
        String served;
        try (Gateway gateway =
                Gateway.start(ServerConfig.defaults().withDataDirectory(data).withPort(0), Clock.systemUTC())) {
            served = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/audit/key"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body()
                    .trim();
        }

        Cli.Run key = Cli.run("audit", "key", "--data", data.toString());
        Path export = directory.resolve("audit.export");
        Cli.Run exported = Cli.run("audit", "export", "--data", data.toString(), "--out", export.toString());
        Cli.Run verified = Cli.run(
                "audit",
                "verify",
                "--export",
                export.toString(),
                "--key",
                key.lastLine(),
                "--state",
                directory.resolve("verified").toString());

        assertThat(key.exitCode()).isZero();
        assertThat(key.out().strip()).isEqualTo(served);
        assertThat(exported.exitCode()).as(exported.all()).isZero();
        assertThat(verified.exitCode()).as(verified.all()).isZero();
    }

    @Test
    void saysWhereTheKeyWouldBe_whenTheFolderHasNone() {
        Cli.Run key =
                Cli.run("audit", "key", "--data", directory.resolve("empty").toString());

        assertThat(key.exitCode()).isNotZero();
        assertThat(key.err()).contains("no signing key at").contains("audit-signing.key");
    }
}
