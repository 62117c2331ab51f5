package io.countersign.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One gateway node as a child process ({@code countersign serve --config}), so a test can
 * freeze it (SIGSTOP), thaw it (SIGCONT) or kill it (SIGKILL) like an operating system would.
 */
final class NodeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Countersign listening on (http://\\S+)");

    private final String name;
    private final Process process;
    private final Path stderr;
    private final String baseUrl;

    private NodeProcess(String name, Process process, Path stderr, String baseUrl) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.baseUrl = baseUrl;
    }

    /** A node config on the database {@code url}, with the e2e policy, in {@code dir}. */
    static Path writeConfig(Path dir, String url) throws IOException {
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = NodeProcess.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        Path config = dir.resolve("node.yaml");
        // The tests read the entries anonymously to count what the cluster wrote.
        Files.writeString(
                config,
                "data: ./data\npolicy: ./policy.yaml\naudit:\n  publicEntries: true\ndatabase:\n  url: " + url + "\n");
        return config;
    }

    /** Starts a node and waits until it says where it listens. */
    static NodeProcess start(Path config, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = config.resolveSibling(name + ".err");
        Process process = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--config",
                        config.toString(),
                        "--port",
                        "0")
                .redirectError(stderr.toFile())
                .start();
        CompletableFuture<String> url = new CompletableFuture<>();
        // Its own thread: the pipe must be drained for the node's whole life or it blocks on stdout.
        Thread.ofPlatform().daemon().name("node-stdout-" + name).start(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        url.complete(matcher.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            url.complete(null);
        });
        String found;
        try {
            found = url.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new AssertionError(
                    "node " + name + " did not say it listens within 120 s; stderr:\n" + Files.readString(stderr), e);
        }
        if (found == null) {
            throw new AssertionError("node " + name + " did not start; stderr:\n" + Files.readString(stderr));
        }
        return new NodeProcess(name, process, stderr, found);
    }

    String baseUrl() {
        return baseUrl;
    }

    String name() {
        return name;
    }

    /** Whether there is a {@code kill} command to send signals with. */
    static boolean canSignal() {
        return java.util.stream.Stream.of(
                        System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(directory -> !directory.isEmpty() && Files.isExecutable(Path.of(directory, "kill")));
    }

    /** SIGSTOP: the process stops where it is, its sockets stay open and its kernel still answers TCP. */
    void freeze() throws Exception {
        signal("STOP");
    }

    void thaw() throws Exception {
        signal("CONT");
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** The node's warnings and errors, without stack traces, the last {@code lines} of them: for a failure message. */
    String warnings(int lines) throws IOException {
        java.util.List<String> found = Files.readAllLines(stderr).stream()
                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                .toList();
        return String.join("\n", found.subList(Math.max(0, found.size() - lines), found.size()));
    }

    private void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** SIGCONT first (a frozen process ignores SIGTERM until thawed), then SIGKILL. */
    @Override
    public void close() {
        try {
            thaw();
        } catch (Exception e) {
            // already gone
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
