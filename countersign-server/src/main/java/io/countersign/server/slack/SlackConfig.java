package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import java.net.URI;
import java.util.Optional;

/**
 * The {@code slack:} section of {@code countersign.yaml}: the Slack app's bot token and signing
 * secret (both from environment variables, never from the file), the channel approval messages go
 * to when their rule names none ({@code approval.notify.slack}), the Web API's base URL (Slack's
 * own unless a test points it elsewhere) and where the console's links point (by default the
 * gateway's base URL).
 */
public record SlackConfig(Secret botToken, Secret signingSecret, String defaultChannel, URI apiBaseUrl, Optional<String> consoleBaseUrl) {
    public static final URI DEFAULT_API_BASE_URL = URI.create("https://slack.com/api/");

    public SlackConfig {
        requireNonNull(botToken, "botToken is null");
        requireNonNull(signingSecret, "signingSecret is null");
        requireNonNull(defaultChannel, "defaultChannel is null");
        requireNonNull(apiBaseUrl, "apiBaseUrl is null");
        requireNonNull(consoleBaseUrl, "consoleBaseUrl is null");
        if (botToken.reveal().isBlank() || signingSecret.reveal().isBlank()) {
            throw new IllegalArgumentException("slack: the bot token and the signing secret must not be blank");
        }
        if (defaultChannel.isBlank()) {
            throw new IllegalArgumentException("slack.defaultChannel is blank; name the channel (its id, e.g. C0123ABCD) approval messages go to");
        }
        if (!"https".equals(apiBaseUrl.getScheme()) && !"http".equals(apiBaseUrl.getScheme())) {
            throw new IllegalArgumentException("slack.apiBaseUrl is '" + apiBaseUrl + "', want an http(s) URL");
        }
        if (!apiBaseUrl.toString().endsWith("/")) {
            apiBaseUrl = URI.create(apiBaseUrl + "/");
        }
        consoleBaseUrl = consoleBaseUrl.map(url -> url.replaceAll("/+$", ""));
    }

    @Override
    public String toString() {
        return "SlackConfig[botToken=***, signingSecret=***, defaultChannel=" + defaultChannel + ", apiBaseUrl=" + apiBaseUrl
                + ", consoleBaseUrl=" + consoleBaseUrl.orElse("(the gateway's base URL)") + "]";
    }
}
