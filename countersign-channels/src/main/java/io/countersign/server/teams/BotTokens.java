package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bot's access token for the Bot Connector: OAuth 2.0 client credentials (the app id and
 * password) at the configured token endpoint, scope {@code https://api.botframework.com/.default}.
 * Cached until {@link #REFRESH_BEFORE} before it expires, so a card is not posted with a token that
 * runs out on the way; {@link #invalidate} drops it when the connector refuses it anyway.
 */
final class BotTokens {
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final TeamsConfig.Bot bot;
    private final HttpClient http;
    private final JsonMapper mapper;
    private final Clock clock;
    private @Nullable String token;
    private Instant refreshAt = Instant.MIN;

    BotTokens(TeamsConfig.Bot bot, HttpClient http, JsonMapper mapper, Clock clock) {
        this.bot = requireNonNull(bot, "bot is null");
        this.http = requireNonNull(http, "http is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A token valid for a few minutes at least. Synchronized: one fetch at a time, the others wait for its result. */
    synchronized String token() throws IOException, InterruptedException {
        Instant now = clock.instant();
        if (token != null && now.isBefore(refreshAt)) {
            return token;
        }
        String form = "grant_type=client_credentials&client_id=" + encode(bot.appId()) + "&client_secret="
                + encode(bot.appPassword().reveal()) + "&scope=" + encode(bot.scope());
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(bot.tokenUrl())
                        .timeout(TIMEOUT)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            // The body is the provider's error (invalid_client...), which never echoes the secret.
            throw new IOException("the token endpoint " + bot.tokenUrl() + " answered " + response.statusCode() + ": "
                    + excerpt(response.body()));
        }
        JsonNode answer;
        try {
            answer = mapper.readTree(response.body());
        } catch (JacksonException e) {
            throw new IOException(
                    "the token endpoint " + bot.tokenUrl() + " answered with no JSON: " + e.getOriginalMessage());
        }
        String accessToken = answer.path("access_token").asString("");
        long expiresIn = answer.path("expires_in").asLong(0);
        if (accessToken.isEmpty() || expiresIn <= 0) {
            throw new IOException(
                    "the token endpoint " + bot.tokenUrl() + " answered without access_token and expires_in");
        }
        // A short-lived token (under twice the margin) is refreshed at half its life instead.
        Duration life = Duration.ofSeconds(expiresIn);
        Duration margin = life.compareTo(REFRESH_BEFORE.multipliedBy(2)) < 0 ? life.dividedBy(2) : REFRESH_BEFORE;
        token = accessToken;
        refreshAt = now.plus(life).minus(margin);
        return token;
    }

    synchronized void invalidate() {
        token = null;
        refreshAt = Instant.MIN;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static String excerpt(String body) {
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
