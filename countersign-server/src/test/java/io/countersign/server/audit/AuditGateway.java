package io.countersign.server.audit;

import io.countersign.identity.Agent;
import io.countersign.server.Gateway;
import io.countersign.server.TestCredentials;
import io.countersign.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** A real gateway for the audit log tests: its own data folder, a policy that allows db.query, a configurable audit section. */
final class AuditGateway implements AutoCloseable {
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path data;
    private final Path policy;
    private final AuditConfig audit;
    private Gateway gateway;

    AuditGateway(Path directory, AuditConfig audit) {
        this.data = directory.resolve("data");
        this.policy = writePolicy(directory);
        this.audit = audit;
        start();
    }

    static Path writePolicy(Path directory) {
        Path file = directory.resolve("audit-policy.yaml");
        try (InputStream in = AuditGateway.class.getResourceAsStream("audit-policy.yaml")) {
            Files.createDirectories(directory);
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() {
        gateway = Gateway.start(
                ServerConfig.defaults()
                        .withDataDirectory(data)
                        .withPolicyFile(policy)
                        .withPort(0)
                        .withAudit(audit.withPublicEntries(true)),
                Clock.systemUTC());
    }

    void stop() {
        gateway.close();
    }

    String baseUrl() {
        return gateway.baseUrl();
    }

    Path data() {
        return data;
    }

    /** An agent's API key, issued as the command line does: straight into the store. */
    static String agentKey(Path data, String name) {
        return TestCredentials.issue(data, new Agent(name, Map.of()));
    }

    /** POSTs an allowed action; returns the response. */
    HttpResponse<String> query(String agentKey, String resource) {
        return query(baseUrl(), agentKey, resource);
    }

    static HttpResponse<String> query(String baseUrl, String agentKey, String resource) {
        String body =
                "{\"action\":\"db.query\",\"resource\":\"" + resource + "\",\"params\":{},\"reason\":\"audit test\"}";
        return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/actions"))
                .header("Authorization", "Bearer " + agentKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
    }

    static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
