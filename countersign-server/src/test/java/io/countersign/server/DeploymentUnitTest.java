package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/systemd/countersign.service, the unit docs/deployment.md installs, as systemd reads it. */
class DeploymentUnitTest {
    @TempDir
    Path directory;

    private static Path unit() {
        for (Path candidate : List.of(
                Path.of("deploy/systemd/countersign.service"), Path.of("../deploy/systemd/countersign.service"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("deploy/systemd/countersign.service not found from "
                + Path.of("").toAbsolutePath());
    }

    @Test
    void theSystemdUnitVerifiesWithoutAWarning() throws Exception {
        String text = Files.readString(unit());
        assertThat(text)
                .contains(
                        "ExecStart=/usr/bin/java -jar /opt/countersign/countersign.jar serve --config /etc/countersign/countersign.yaml");
        // systemd checks that ExecStart's program exists: point it at this JVM's java where /usr/bin/java is absent.
        Path copy = directory.resolve("countersign.service");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(
                copy, Files.isExecutable(Path.of("/usr/bin/java")) ? text : text.replace("/usr/bin/java", java));
        Process verify;
        try {
            verify = new ProcessBuilder("systemd-analyze", "verify", copy.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException missing) {
            assumeTrue(false, "systemd-analyze (Debian's systemd package) is not installed; the unit was not verified");
            return;
        }
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(output).isZero();
        assertThat(output).as("systemd-analyze verify's warnings").isBlank();
    }
}
