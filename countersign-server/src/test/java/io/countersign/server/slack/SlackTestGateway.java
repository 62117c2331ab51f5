package io.countersign.server.slack;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.identity.Secret;
import io.countersign.server.Gateway;
import io.countersign.server.TestCredentials;
import io.countersign.server.channels.Backoff;
import io.countersign.server.config.NotificationsConfig;
import io.countersign.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A real gateway with a {@code slack:} section pointed at a {@link FakeSlack}, and helpers to act
 * as agent, as approver over the API, and as Slack posting signed interactions. The gateway's own
 * outbox worker delivers the messages; tests wait for the fake to see them.
 */
final class SlackTestGateway implements AutoCloseable {
    static final String BOT_TOKEN = "xoxb-test-bot-token";
    static final String SIGNING_SECRET = "test-signing-secret-0123456789abcdef";
    static final String DEFAULT_CHANNEL = "C0DEFAULT";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final FakeSlack slack;
    private final Path data;
    private final Gateway gateway;
    private final SlackSignature signature = new SlackSignature(new Secret(SIGNING_SECRET));

    SlackTestGateway(Path directory) throws IOException {
        this.slack = new FakeSlack(BOT_TOKEN);
        this.data = directory.resolve("data");
        Path policy = directory.resolve("policy.yaml");
        try (InputStream in = SlackTestGateway.class.getResourceAsStream("/slack/slack-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        SlackConfig config = new SlackConfig(
                new Secret(BOT_TOKEN),
                new Secret(SIGNING_SECRET),
                DEFAULT_CHANNEL,
                URI.create(slack.apiBaseUrl()),
                Optional.empty());
        this.gateway = Gateway.start(
                ServerConfig.defaults()
                        .withDataDirectory(data)
                        .withPolicyFile(policy)
                        .withPort(0)
                        .withSlack(config)
                        // Retries at most 4 s apart, so a test sees the delivery soon after Slack is back.
                        .withNotifications(NotificationsConfig.defaults()
                                .withBackoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4), 1_000))),
                Clock.systemUTC());
    }

    String baseUrl() {
        return gateway.baseUrl();
    }

    String agent(String name) {
        return issue(new Agent(name, Map.of("team", "test")));
    }

    /** A human with email {@code name@example.com}, as {@code countersign humans create} makes one. */
    String human(String name, String... groups) {
        return issue(new Human(name, name + "@example.com", Set.of(groups)));
    }

    private String issue(Principal principal) {
        return TestCredentials.issue(data, principal);
    }

    /** The agent's request; answers the request id. */
    String submit(String agentToken, String action, String resource, String onBehalfOf) throws Exception {
        String body = "{\"action\":\"" + action + "\",\"resource\":\"" + resource
                + "\",\"params\":{\"table\":\"customers\",\"limit\":1000}," + "\"reason\":\"monthly churn report\""
                + (onBehalfOf == null ? "" : ",\"onBehalfOf\":\"" + onBehalfOf + "\"") + "}";
        HttpResponse<String> response = post("/v1/actions", agentToken, body);
        if (response.statusCode() != 202) {
            throw new AssertionError("want 202 pending, got " + response.statusCode() + ": " + response.body());
        }
        return FakeSlack.MAPPER.readTree(response.body()).path("id").asString();
    }

    String status(String id, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/actions/" + id))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return FakeSlack.MAPPER.readTree(response.body()).path("status").asString();
    }

    JsonNode request(String id, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/actions/" + id))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return FakeSlack.MAPPER.readTree(response.body());
    }

    HttpResponse<String> post(String path, String token, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An interaction payload as Slack posts it: form-encoded, signed now with the app's signing secret. */
    HttpResponse<String> interact(String payloadJson) throws Exception {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        byte[] body = form(payloadJson);
        return interact(body, timestamp, signature.sign(timestamp, body));
    }

    HttpResponse<String> interact(byte[] body, String timestamp, String signatureHeader) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + SlackInteractions.PATH))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (timestamp != null) {
            request.header("X-Slack-Request-Timestamp", timestamp);
        }
        if (signatureHeader != null) {
            request.header("X-Slack-Signature", signatureHeader);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] form(String payloadJson) {
        return ("payload=" + URLEncoder.encode(payloadJson, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    String sign(String timestamp, byte[] body) {
        return signature.sign(timestamp, body);
    }

    @Override
    public void close() {
        gateway.close();
        slack.close();
    }
}
