package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the TypeScript SDK's tests (node's test runner, after {@code npm ci}) and the Python SDK's
 * tests (unittest) as child processes against a real gateway started here, so that {@code ./mvnw
 * verify} holds both SDKs, and their framework adapters, to clients/scenarios.json. A tool that is
 * missing skips its suite with a message. The suites restart the gateway through a control
 * address (POST /restart) for the restart-during-long-poll scenario. They reach the gateway
 * through a {@link ValidatingProxy}, so every answer they get is held to the OpenAPI document too.
 */
class SdkSuitesTest {
    private static final Path CLIENTS =
            Path.of("..", "clients").toAbsolutePath().normalize();
    private static final long NPM_CI_MINUTES = 10;
    private static final long SUITE_MINUTES = 6;

    @TempDir
    Path directory;

    private TestGateway gateway;
    private ValidatingProxy proxy;
    private HttpServer control;
    private Map<String, String> environment;

    @BeforeEach
    void start() throws IOException {
        gateway = new TestGateway(directory);
        proxy = new ValidatingProxy(gateway.baseUrl());
        control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        control.createContext("/restart", exchange -> {
            int status = 405;
            if (exchange.getRequestMethod().equals("POST")) {
                gateway.restartOnTheSameAddress();
                status = 200;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        control.start();
        environment = Map.of(
                "COUNTERSIGN_URL", proxy.url(),
                "COUNTERSIGN_AGENT_KEY", gateway.agent("reporter"),
                "COUNTERSIGN_APPROVER_TOKEN", gateway.human("bob", "data-owners"),
                "COUNTERSIGN_CONTROL_URL",
                        "http://127.0.0.1:" + control.getAddress().getPort(),
                "COUNTERSIGN_SCENARIOS", CLIENTS.resolve("scenarios.json").toString());
    }

    @AfterEach
    void stop() {
        control.stop(0);
        proxy.close();
        gateway.close();
    }

    @Test
    void theTypeScriptSdkAndItsAdapters_passTheirTestsAgainstTheGateway() throws Exception {
        assumeTrue(
                onPath("node") && onPath("npm"),
                "node and npm are not on the PATH: the TypeScript SDK's tests are skipped");
        String version = run(CLIENTS, List.of("node", "--version"), 1, "node-version.log")
                .trim();
        assumeTrue(
                Integer.parseInt(version.replaceFirst("^v(\\d+).*", "$1")) >= 20,
                "node " + version + " is older than 20, which the TypeScript SDK needs: its tests are skipped");
        Path typescript = CLIENTS.resolve("typescript");
        Path installed = typescript.resolve("node_modules").resolve(".package-lock.json");
        // npm ci reinstalls from package-lock.json; a tree installed from this very lock file is reused.
        if (!Files.exists(installed)
                || Files.getLastModifiedTime(installed)
                                .compareTo(Files.getLastModifiedTime(typescript.resolve("package-lock.json")))
                        < 0) {
            run(typescript, List.of("npm", "ci", "--no-audit", "--no-fund"), NPM_CI_MINUTES, "npm-ci.log");
        }
        String output = run(typescript, List.of("npm", "test"), SUITE_MINUTES, "npm-test.log");
        assertThat(output).contains("# fail 0", "# skipped 0").containsPattern("# pass [1-9]");
        assertEveryAnswerConformed();
    }

    @Test
    void thePythonSdk_passesItsTestsAgainstTheGateway() throws Exception {
        assumeTrue(onPath("python3"), "python3 is not on the PATH: the Python SDK's tests are skipped");
        String output = run(
                CLIENTS.resolve("python"),
                List.of("python3", "-m", "unittest", "discover", "-v", "-s", "tests", "-t", "."),
                SUITE_MINUTES,
                "unittest.log");
        assertThat(output).contains("OK").doesNotContain("skipped 'no gateway");
        assertEveryAnswerConformed();
    }

    private void assertEveryAnswerConformed() {
        assertThat(proxy.violations())
                .as("answers to the suite that break the OpenAPI document")
                .isEmpty();
        assertThat(proxy.validatedAnswers()).as("answers held to the document").isPositive();
    }

    /** Runs a command to its end (bounded), and fails with its output unless it exits 0. */
    private String run(Path workingDirectory, List<String> command, long minutes, String logName) throws Exception {
        Path log = directory.resolve(logName);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        boolean finished = process.waitFor(minutes, TimeUnit.MINUTES);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        assertThat(finished)
                .as("%s still running after %d minutes:%n%s", command, minutes, output)
                .isTrue();
        assertThat(process.exitValue())
                .as("%s exited %d:%n%s", command, process.exitValue(), output)
                .isZero();
        return output;
    }

    private static boolean onPath(String tool) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, tool))) {
                return true;
            }
        }
        return false;
    }
}
