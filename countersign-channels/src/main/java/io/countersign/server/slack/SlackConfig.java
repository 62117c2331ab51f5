package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@code slack:} section of {@code countersign.yaml}: the Slack app's bot token and signing
 * secret (both from environment variables, never from the file), the channel approval messages go
 * to when their rule names none ({@code approval.notify.slack}), the Web API's base URL (Slack's
 * own unless a test points it elsewhere) and where the console's links point (by default the
 * gateway's base URL), and whether every request's approvers also get a direct message ({@code dm}; a rule
 * asks for it with {@code approval.notify.slack: {dm: true}}).
 */
public record SlackConfig(
        Secret botToken,
        Secret signingSecret,
        String defaultChannel,
        URI apiBaseUrl,
        Optional<String> consoleBaseUrl,
        boolean directMessages) {
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
            throw new IllegalArgumentException(
                    "slack.defaultChannel is blank; name the channel (its id, e.g. C0123ABCD) approval messages go to");
        }
        if (!"https".equals(apiBaseUrl.getScheme()) && !"http".equals(apiBaseUrl.getScheme())) {
            throw new IllegalArgumentException("slack.apiBaseUrl is '" + apiBaseUrl + "', want an http(s) URL");
        }
        if (!apiBaseUrl.toString().endsWith("/")) {
            apiBaseUrl = URI.create(apiBaseUrl + "/");
        }
        consoleBaseUrl = consoleBaseUrl.map(url -> url.replaceAll("/+$", ""));
    }

    /** Direct messages only where a rule asks for them. */
    public SlackConfig(
            Secret botToken,
            Secret signingSecret,
            String defaultChannel,
            URI apiBaseUrl,
            Optional<String> consoleBaseUrl) {
        this(botToken, signingSecret, defaultChannel, apiBaseUrl, consoleBaseUrl, false);
    }

    /**
     * Parses the {@code slack:} section; errors name the key (the caller adds the file). {@code env} reads an
     * environment variable (the secrets are named by {@code botTokenEnv} and {@code signingSecretEnv}).
     *
     * <pre>
     * slack:
     *   botTokenEnv: SLACK_BOT_TOKEN            # xoxb-..., scopes chat:write, users:read, users:read.email
     *   signingSecretEnv: SLACK_SIGNING_SECRET  # the app's signing secret (Basic Information)
     *   defaultChannel: C0123ABCD               # where approval messages go when the rule names no notify.slack
     *   apiBaseUrl: https://slack.com/api/      # default
     *   consoleBaseUrl: https://countersign.example.com   # default: server.baseUrl
     *   dm: false                               # true: a direct message to each approver of every request
     * </pre>
     */
    public static Optional<SlackConfig> parse(@Nullable Object value, Function<String, Optional<String>> env) {
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> slack)) {
            throw new IllegalArgumentException("'slack' must be a mapping");
        }
        Set<String> known =
                Set.of("botTokenEnv", "signingSecretEnv", "defaultChannel", "apiBaseUrl", "consoleBaseUrl", "dm");
        for (Object key : slack.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(
                        "unknown key '" + key + "' in slack; known keys are " + new TreeSet<>(known));
            }
        }
        Secret token = new Secret(secret(slack, "botTokenEnv", env));
        Secret signing = new Secret(secret(slack, "signingSecretEnv", env));
        String channel = string(slack, "defaultChannel")
                .orElseThrow(
                        () -> new IllegalArgumentException(
                                "'slack.defaultChannel' is missing; name the channel (its id, e.g. C0123ABCD) approval messages go to"));
        URI api;
        try {
            api = string(slack, "apiBaseUrl").map(URI::create).orElse(DEFAULT_API_BASE_URL);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'slack.apiBaseUrl' is not a URL: " + e.getMessage());
        }
        Object dm = slack.get("dm");
        if (dm != null && !(dm instanceof Boolean)) {
            throw new IllegalArgumentException("'slack.dm' must be true or false");
        }
        return Optional.of(new SlackConfig(
                token, signing, channel, api, string(slack, "consoleBaseUrl"), Boolean.TRUE.equals(dm)));
    }

    private static String secret(Map<?, ?> slack, String key, Function<String, Optional<String>> env) {
        String name = string(slack, key)
                .orElseThrow(() -> new IllegalArgumentException(
                        "'slack." + key + "' is missing; name the environment variable that holds it"));
        return env.apply(name)
                .filter(text -> !text.isBlank())
                .orElseThrow(() -> new IllegalArgumentException(
                        "'slack." + key + "' names the environment variable " + name + ", which is not set"));
    }

    private static Optional<String> string(Map<?, ?> slack, String key) {
        Object value = slack.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("'slack." + key + "' must be a string");
        }
        return Optional.of(text);
    }

    @Override
    public String toString() {
        return "SlackConfig[botToken=***, signingSecret=***, defaultChannel=" + defaultChannel + ", apiBaseUrl="
                + apiBaseUrl + ", consoleBaseUrl=" + consoleBaseUrl.orElse("(the gateway's base URL)") + ", dm="
                + directMessages + "]";
    }
}
