package io.countersign.server.mcp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real MCP servers from the npm registry, installed once into {@code ~/.cache/countersign-npm}
 * (or {@code $COUNTERSIGN_NPM_CACHE}). Without npm the tests are skipped, and say why.
 */
final class NpmServers {
    static final List<String> PACKAGES = List.of(
            "@modelcontextprotocol/server-everything",
            "@modelcontextprotocol/server-filesystem",
            "@modelcontextprotocol/inspector",
            "@modelcontextprotocol/sdk");
    private static Path installed;

    private NpmServers() {}

    static synchronized Path folder() {
        if (installed != null) {
            return installed;
        }
        String configured = System.getenv("COUNTERSIGN_NPM_CACHE");
        Path folder = configured != null
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "countersign-npm");
        boolean present = PACKAGES.stream()
                .allMatch(
                        name -> Files.isDirectory(folder.resolve("node_modules").resolve(name)));
        if (!present) {
            assumeTrue(onPath("npm"), "npm is not installed: skipping the tests against real MCP servers");
            try {
                Files.createDirectories(folder);
                List<String> command = new java.util.ArrayList<>(
                        List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", folder.toString()));
                command.addAll(PACKAGES);
                Process npm = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(folder.resolve("npm-install.log").toFile())
                        .start();
                if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                    throw new IllegalStateException("npm install failed; see " + folder.resolve("npm-install.log"));
                }
            } catch (IOException e) {
                throw new IllegalStateException("npm install failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while installing npm packages", e);
            }
        }
        installed = folder;
        return folder;
    }

    /**
     * The MCP conformance suite and the Node.js 22 it needs (it uses {@code fs.globSync}), both from
     * the npm registry, installed once into a folder of their own beside the servers; returns that folder.
     */
    static synchronized Path conformance() {
        Path folder = folder().resolve("conformance");
        Path node = folder.resolve("node_modules/.bin/node");
        if (Files.isDirectory(folder.resolve("node_modules/@modelcontextprotocol/conformance"))
                && Files.isExecutable(node)) {
            return folder;
        }
        assumeTrue(onPath("npm"), "npm is not installed: skipping the conformance suite");
        try {
            Files.createDirectories(folder);
            Process npm = new ProcessBuilder(
                            "npm",
                            "install",
                            "--no-audit",
                            "--no-fund",
                            "--prefix",
                            folder.toString(),
                            "@modelcontextprotocol/conformance@0.1.16",
                            "node@22")
                    .redirectErrorStream(true)
                    .redirectOutput(folder.resolve("npm-install.log").toFile())
                    .start();
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm install failed; see " + folder.resolve("npm-install.log"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("npm install failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing npm packages", e);
        }
        return folder;
    }

    static UpstreamConfig.Stdio everything() {
        return new UpstreamConfig.Stdio(
                "node",
                List.of(script("server-everything", "dist/index.js").toString(), "stdio"),
                java.util.Map.of("COUNTERSIGN_TEST_SECRET", "s3cret"));
    }

    static UpstreamConfig.Stdio filesystem(Path root) {
        return new UpstreamConfig.Stdio(
                "node",
                List.of(script("server-filesystem", "dist/index.js").toString(), root.toString()),
                java.util.Map.of());
    }

    /**
     * Our own test server (src/test/resources/mcp/shifting-server.mjs), whose tools change while it
     * runs; copied beside the npm packages so that node finds the SDK it imports.
     */
    static UpstreamConfig.Stdio shifting() {
        return new UpstreamConfig.Stdio(
                "node", List.of(testScript("shifting-server.mjs").toString()), java.util.Map.of());
    }

    /** One of our test scripts (src/test/resources/mcp), copied beside the npm packages so that node finds the SDK it imports. */
    static Path testScript(String name) {
        Path script = folder().resolve("countersign-tests").resolve(name);
        try (java.io.InputStream in = NpmServers.class.getResourceAsStream("/mcp/" + name)) {
            Files.createDirectories(script.getParent());
            Files.write(script, in.readAllBytes());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return script;
    }

    static Path script(String server, String relative) {
        return folder().resolve("node_modules/@modelcontextprotocol")
                .resolve(server)
                .resolve(relative);
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null
                && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
