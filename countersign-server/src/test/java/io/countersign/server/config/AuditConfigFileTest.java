package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.audit.AuditConfig;
import io.countersign.server.audit.WitnessConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code audit:} section of countersign.yaml. */
class AuditConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void theAuditSection_isRead_withPathsRelativeToTheFile() throws Exception {
        Path file = write("""
                audit:
                  origin: countersign.example.com/audit
                  signingKeyFile: keys/audit.key
                  witnesses:
                    - url: https://witness.example.net/countersign
                      key: witness.example.net/w1+0e4353fa+BBMffhJY+eAwPGzQ+/ed4c1SHHKfs+jcHoCmKwAuiQIB
                    - {url: "http://127.0.0.1:9999/w", key: "w2.example.org+a875a2ae+BNty9Aw2KjDNoNMuH8SckmCgjIIKzzKZxz/SOS/Uzr9q"}
                  checkpointInterval: 250ms
                """);

        AuditConfig audit = ConfigFile.load(file).audit();

        assertThat(audit.origin()).contains("countersign.example.com/audit");
        assertThat(audit.signingKeyFile()).contains(dir.resolve("keys/audit.key"));
        assertThat(audit.witnesses())
                .extracting(WitnessConfig::addCheckpoint)
                .containsExactly(
                        URI.create("https://witness.example.net/countersign/add-checkpoint"),
                        URI.create("http://127.0.0.1:9999/w/add-checkpoint"));
        assertThat(audit.witnesses().get(1).key().name()).isEqualTo("w2.example.org");
        assertThat(audit.checkpointInterval()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void withoutASection_theDefaultsApply() throws Exception {
        AuditConfig audit = ConfigFile.load(write("data: ./data\n")).audit();

        assertThat(audit)
                .isEqualTo(new AuditConfig(Optional.empty(), Optional.empty(), List.of(), Duration.ofSeconds(1)));
    }

    @Test
    void theTilesPrefix_isRead_defaultsToV1AuditTlog_andABadOneIsNamed() throws Exception {
        assertThat(ConfigFile.load(write("audit: {tilesPrefix: /tlog}\n"))
                        .audit()
                        .tilesPrefix())
                .isEqualTo("/tlog");
        assertThat(ConfigFile.load(write("audit: {tilesPrefix: ''}\n")).audit().tilesPrefix())
                .as("the server's root")
                .isEmpty();
        assertThat(ConfigFile.load(write("data: ./data\n")).audit().tilesPrefix())
                .isEqualTo("/v1/audit/tlog");
        for (String bad : List.of("/tlog/", "tlog", "/a b", "/a/../b", "/console/tiles", "/x?y")) {
            assertThatThrownBy(() -> ConfigFile.load(write("audit: {tilesPrefix: '" + bad + "'}\n")))
                    .as(bad)
                    .hasMessageContaining("audit tilesPrefix '" + bad + "'");
        }
    }

    @Test
    void mistakes_areNamed() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {origni: x}\n")))
                .hasMessageContaining("unknown key 'origni' in audit");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {origin: 'has space'}\n")))
                .hasMessageContaining("audit origin 'has space'");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {checkpointInterval: 2h}\n")))
                .hasMessageContaining("want 10ms to 1h");
        String key = "w2.example.org+a875a2ae+BNty9Aw2KjDNoNMuH8SckmCgjIIKzzKZxz/SOS/Uzr9q";
        assertThatThrownBy(
                        () -> ConfigFile.load(write("audit: {witnesses: [{url: 'ftp://x/y', key: '" + key + "'}]}\n")))
                .hasMessageContaining("is not an http(s) URL");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {witnesses: https://x/y}\n")))
                .hasMessageContaining("must be a list of {url, key}");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {witnesses: [https://x/y]}\n")))
                .hasMessageContaining("must be {url: <submission prefix>, key: <its cosignature vkey>}");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {witnesses: [{url: 'https://x/y'}]}\n")))
                .hasMessageContaining("has no key");
        // A log's note key (type 0x01) is not a cosignature key.
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "audit: {witnesses: [{url: 'https://x/y', key: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'}]}\n")))
                .hasMessageContaining("want 4 (Ed25519 cosignature/v1)");
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("countersign-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
