package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.audit.AuditConfig;
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
                  witnesses: [https://witness.example.net/countersign, http://127.0.0.1:9999/w]
                  checkpointInterval: 250ms
                """);

        AuditConfig audit = ConfigFile.load(file).audit();

        assertThat(audit.origin()).contains("countersign.example.com/audit");
        assertThat(audit.signingKeyFile()).contains(dir.resolve("keys/audit.key"));
        assertThat(audit.witnesses())
                .containsExactly(
                        URI.create("https://witness.example.net/countersign"), URI.create("http://127.0.0.1:9999/w"));
        assertThat(audit.checkpointInterval()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void withoutASection_theDefaultsApply() throws Exception {
        AuditConfig audit = ConfigFile.load(write("data: ./data\n")).audit();

        assertThat(audit)
                .isEqualTo(new AuditConfig(Optional.empty(), Optional.empty(), List.of(), Duration.ofSeconds(1)));
    }

    @Test
    void mistakes_areNamed() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {origni: x}\n")))
                .hasMessageContaining("unknown key 'origni' in audit");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {origin: 'has space'}\n")))
                .hasMessageContaining("audit origin 'has space'");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {checkpointInterval: 2h}\n")))
                .hasMessageContaining("want 10ms to 1h");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {witnesses: [ftp://x/y]}\n")))
                .hasMessageContaining("is not an http(s) URL");
        assertThatThrownBy(() -> ConfigFile.load(write("audit: {witnesses: https://x/y}\n")))
                .hasMessageContaining("must be a list of URLs");
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("countersign-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
