package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Keycloak on a free loopback port: the Maven Central distribution that the build unpacks
 * into target/ ({@code countersign.test.keycloak}), {@code kc.sh start-dev} on a fresh H2
 * database, driven through its admin REST API. Where it can't start (no distribution, no start
 * within {@link #START_TIMEOUT}), the test class is skipped with the reason.
 */
final class LocalKeycloak implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofMinutes(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final Path log;
    private final int port;
    private final String adminPassword = UUID.randomUUID().toString();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private LocalKeycloak(Path home) throws IOException {
        this.port = freePort();
        this.log = home.resolveSibling("keycloak-" + port + ".log");
        deleteTree(home.resolve("data"));
        ProcessBuilder builder = new ProcessBuilder(
                        home.resolve("bin/kc.sh").toString(),
                        "start-dev",
                        "--http-port=" + port,
                        "--http-host=127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        // Keycloak's Quarkus asks for this on Java 24 and later.
        builder.environment().put("JAVA_OPTS_APPEND", "--add-opens=java.base/java.lang=ALL-UNNAMED");
        this.process = builder.start();
    }

    /** Starts Keycloak and waits for it, or skips the calling test class saying why. */
    static LocalKeycloak startOrSkip() {
        String home = System.getProperty("countersign.test.keycloak");
        Assumptions.assumeTrue(
                home != null && Files.isExecutable(Path.of(home, "bin", "kc.sh")),
                "Keycloak is not unpacked (countersign.test.keycloak=" + home
                        + "); run the tests through Maven, which unpacks org.keycloak:keycloak-quarkus-dist");
        LocalKeycloak keycloak;
        try {
            keycloak = new LocalKeycloak(Path.of(home));
        } catch (IOException e) {
            Assumptions.abort("Keycloak could not be started: " + e.getMessage());
            throw new IllegalStateException(e);
        }
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!keycloak.process.isAlive()) {
                String tail = keycloak.logTail();
                keycloak.close();
                Assumptions.abort("Keycloak exited while starting: " + tail);
            }
            try {
                if (keycloak.http
                                .send(
                                        HttpRequest.newBuilder(URI.create(keycloak.baseUrl() + "/realms/master"))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return keycloak;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep(Duration.ofSeconds(2));
        }
        String tail = keycloak.logTail();
        keycloak.close();
        Assumptions.abort("Keycloak did not start within " + START_TIMEOUT + ": " + tail);
        throw new IllegalStateException("unreachable");
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    URI issuer(String realm) {
        return URI.create(baseUrl() + "/realms/" + realm);
    }

    /** An admin REST call ({@code /admin/realms...}); answers the response, its Location header naming what was created. */
    HttpResponse<String> admin(String method, String path, Object body) {
        String token = post(
                        "/realms/master/protocol/openid-connect/token",
                        Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "admin-cli",
                                "username",
                                "admin",
                                "password",
                                adminPassword))
                .path("access_token")
                .asString();
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/realms" + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, publisher));
        assertThat(answer.statusCode())
                .as("%s %s: %s", method, path, answer.body())
                .isBetween(200, 299);
        return answer;
    }

    /** The id of what a POST created, from its Location header. */
    String create(String path, Object body) {
        String location =
                admin("POST", path, body).headers().firstValue("Location").orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** A form POST to a Keycloak endpoint (the token endpoint); its JSON answer, whatever the status. */
    JsonNode post(String path, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        return JSON.readTree(answer.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        // kc.sh execs the JVM, but end whatever it started, too.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        http.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
