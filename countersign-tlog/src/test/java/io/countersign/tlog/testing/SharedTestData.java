package io.countersign.tlog.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared test data: system property {@code countersign.shared} (set by the parent
 * pom), else {@code ../shared} next to the repository root.
 */
public final class SharedTestData {
    private SharedTestData() {}

    /** The directory {@code <shared>/testdata/<name>}, or skips the test with a visible message. */
    public static Path require(String name) {
        String configured = System.getProperty("countersign.shared");
        Path shared = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
        if (configured == null && !Files.isDirectory(shared)) {
            shared = Path.of("..", "shared");
        }
        Path dir = shared.resolve("testdata").resolve(name).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            // Surefire neither counts nor prints an aborted test factory: say it in the build log.
            System.err.println(
                    "SKIPPED: shared testdata not found at " + dir + "; the Merkle vector tests did not run");
        }
        assumeTrue(Files.isDirectory(dir), "shared testdata not found at " + dir);
        return dir;
    }
}
