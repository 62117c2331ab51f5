package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The few Bot Connector REST calls the bot makes, always to the configured {@code serviceUrl} (never
 * to one an incoming activity names, so the bot's token goes nowhere else): post an activity to a
 * conversation, replace one, and read a conversation member (for the user's UPN).
 */
final class BotConnector {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final TeamsConfig.Bot bot;
    private final BotTokens tokens;
    private final HttpClient http;
    private final JsonMapper mapper;

    BotConnector(TeamsConfig.Bot bot, BotTokens tokens, HttpClient http, JsonMapper mapper) {
        this.bot = requireNonNull(bot, "bot is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.http = requireNonNull(http, "http is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    /** {@code POST /v3/conversations/{conversationId}/activities}; the id of the new activity. */
    String post(String conversationId, ObjectNode activity) throws IOException, InterruptedException {
        JsonNode answer = send("POST", conversationPath(conversationId) + "/activities", Optional.of(activity));
        String id = answer.path("id").asString("");
        if (id.isEmpty()) {
            throw new IOException("the Bot Connector posted the activity but answered without its id");
        }
        return id;
    }

    /** {@code PUT /v3/conversations/{conversationId}/activities/{activityId}}: replaces the card in place. */
    void update(String conversationId, String activityId, ObjectNode activity)
            throws IOException, InterruptedException {
        send("PUT", conversationPath(conversationId) + "/activities/" + segment(activityId), Optional.of(activity));
    }

    /** {@code GET /v3/conversations/{conversationId}/members/{userId}}: the member with their UPN and AAD object id. */
    JsonNode member(String conversationId, String userId) throws IOException, InterruptedException {
        return send("GET", conversationPath(conversationId) + "/members/" + segment(userId), Optional.empty());
    }

    private JsonNode send(String method, String path, Optional<ObjectNode> body)
            throws IOException, InterruptedException {
        HttpResponse<String> response = call(method, path, body);
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            // A token revoked early, or the app's password changed: get a new one and try once more.
            tokens.invalidate();
            response = call(method, path, body);
        }
        if (response.statusCode() / 100 != 2) {
            throw new BotConnectorRefused(
                    TeamsLimits.refusal("the Bot Connector (" + method + " " + path + ")", response));
        }
        if (response.body().isBlank()) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(response.body());
        } catch (JacksonException e) {
            throw new IOException(
                    "the Bot Connector answered " + method + " " + path + " with no JSON: " + e.getOriginalMessage());
        }
    }

    private HttpResponse<String> call(String method, String path, Optional<ObjectNode> body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bot.serviceBase() + path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + tokens.token());
        if (body.isPresent()) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body.get())));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String conversationPath(String conversationId) {
        return "/v3/conversations/" + segment(conversationId);
    }

    /** Conversation ids carry ':', '@' and ';' ({@code 19:abc@thread.tacv2;messageid=1}): encoded as a path segment, as the SDKs do. */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The connector's answer, classified ({@link TeamsLimits#kindOf}); an IOException so that callers
     * reading members keep handling it as they did, and the outbox worker sees the classification.
     */
    static final class BotConnectorRefused extends java.io.IOException {
        private final io.countersign.server.channels.DeliveryFailure failure;

        BotConnectorRefused(io.countersign.server.channels.DeliveryFailure failure) {
            super(failure.getMessage());
            this.failure = failure;
        }

        io.countersign.server.channels.DeliveryFailure failure() {
            return failure;
        }
    }
}
