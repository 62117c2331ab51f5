package io.countersign.server.config;

import io.countersign.identity.Secret;
import io.countersign.server.teams.TeamsConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@code teams:} section of {@code countersign.yaml}; unknown keys are errors. The app password
 * comes from an environment variable ({@code appPasswordEnv}); {@code appPassword} in the file is
 * accepted for a demo, never logged.
 *
 * <pre>
 * teams:
 *   appId: 00000000-0000-0000-0000-000000000000
 *   appPasswordEnv: TEAMS_APP_PASSWORD
 *   serviceUrl: https://smba.trafficmanager.net/emea/
 *   conversationId: "19:abc...@thread.tacv2"
 *   users: {"6b2f...": alice@example.com}           # AAD object id to email, where the UPN is not the email
 *   tenantId: 11111111-2222-3333-4444-555555555555  # optional: refuse clicks from other tenants
 *   tokenUrl: https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token      # the defaults
 *   openIdMetadataUrl: https://login.botframework.com/v1/.well-known/openidconfiguration
 *   issuer: https://api.botframework.com
 *   workflowUrl: https://prod-00.westeurope.logic.azure.com/workflows/...   # optional, for teams without the bot
 *   consoleBaseUrl: https://countersign.example.com                          # default: server.baseUrl
 * </pre>
 */
final class TeamsSection {
    private static final Set<String> KEYS = Set.of(
            "appId",
            "appPassword",
            "appPasswordEnv",
            "tokenUrl",
            "scope",
            "openIdMetadataUrl",
            "issuer",
            "serviceUrl",
            "conversationId",
            "users",
            "tenantId",
            "workflowUrl",
            "consoleBaseUrl");
    private static final Set<String> BOT_ONLY = Set.of(
            "appPassword",
            "appPasswordEnv",
            "tokenUrl",
            "scope",
            "openIdMetadataUrl",
            "issuer",
            "serviceUrl",
            "conversationId",
            "users",
            "tenantId");

    private TeamsSection() {}

    static TeamsConfig parse(Path file, @Nullable Object value, Function<String, Optional<String>> environment) {
        if (value == null) {
            return TeamsConfig.none();
        }
        if (!(value instanceof Map<?, ?> teams)) {
            throw new ConfigException(file + ": 'teams' must be a mapping");
        }
        for (Object key : teams.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new ConfigException(
                        file + ": unknown key '" + key + "' in teams; known keys are " + new TreeSet<>(KEYS));
            }
        }
        Optional<String> appId = string(file, "teams.appId", teams.get("appId"));
        Optional<TeamsConfig.Bot> bot = Optional.empty();
        if (appId.isPresent()) {
            bot = Optional.of(bot(file, teams, appId.get(), environment));
        } else {
            for (String key : BOT_ONLY) {
                if (teams.containsKey(key)) {
                    throw new ConfigException(file + ": 'teams." + key + "' is for the bot, which needs 'teams.appId'");
                }
            }
        }
        Optional<URI> workflowUrl = string(file, "teams.workflowUrl", teams.get("workflowUrl"))
                .map(url -> httpUrl(file, "teams.workflowUrl", url));
        Optional<String> console = string(file, "teams.consoleBaseUrl", teams.get("consoleBaseUrl"));
        console.ifPresent(url -> httpUrl(file, "teams.consoleBaseUrl", url));
        if (bot.isEmpty() && workflowUrl.isEmpty()) {
            throw new ConfigException(
                    file + ": 'teams' needs 'appId' (the bot) or 'workflowUrl' (a Workflows webhook), or both");
        }
        return new TeamsConfig(bot, workflowUrl, console);
    }

    private static TeamsConfig.Bot bot(
            Path file, Map<?, ?> teams, String appId, Function<String, Optional<String>> environment) {
        if (teams.containsKey("appPassword") == teams.containsKey("appPasswordEnv")) {
            throw new ConfigException(
                    file
                            + ": the bot needs exactly one of 'teams.appPasswordEnv' (an environment variable) or 'teams.appPassword'");
        }
        Secret password = string(file, "teams.appPasswordEnv", teams.get("appPasswordEnv"))
                .map(name -> environment
                        .apply(name)
                        .filter(text -> !text.isBlank())
                        .orElseThrow(() ->
                                new ConfigException(file + ": 'teams.appPasswordEnv' names the environment variable "
                                        + name + ", which is not set")))
                .or(() -> string(file, "teams.appPassword", teams.get("appPassword")))
                .map(Secret::new)
                .orElseThrow();
        URI serviceUrl = httpUrl(
                file,
                "teams.serviceUrl",
                required(
                        file,
                        teams,
                        "serviceUrl",
                        "the Bot Connector URL of the team, e.g. https://smba.trafficmanager.net/emea/ (docs/teams.md says where to find it)"));
        String conversationId =
                required(file, teams, "conversationId", "the id of the channel or chat requests are posted to");
        Map<String, String> users = new LinkedHashMap<>();
        Object listed = teams.get("users");
        if (listed != null) {
            if (!(listed instanceof Map<?, ?> map)) {
                throw new ConfigException(file + ": 'teams.users' must be a mapping from AAD object id to email");
            }
            map.forEach((id, email) -> users.put(
                    String.valueOf(id),
                    string(file, "teams.users." + id, email)
                            .filter(text -> text.contains("@"))
                            .orElseThrow(() -> new ConfigException(
                                    file + ": 'teams.users." + id + "' must be an email, got '" + email + "'"))));
        }
        try {
            return new TeamsConfig.Bot(
                    appId,
                    password,
                    optionalUrl(file, teams, "tokenUrl").orElse(TeamsConfig.DEFAULT_TOKEN_URL),
                    string(file, "teams.scope", teams.get("scope")).orElse(TeamsConfig.DEFAULT_SCOPE),
                    optionalUrl(file, teams, "openIdMetadataUrl").orElse(TeamsConfig.DEFAULT_OPENID_METADATA_URL),
                    string(file, "teams.issuer", teams.get("issuer")).orElse(TeamsConfig.DEFAULT_ISSUER),
                    serviceUrl,
                    conversationId,
                    users,
                    string(file, "teams.tenantId", teams.get("tenantId")));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    private static String required(Path file, Map<?, ?> teams, String key, String what) {
        return string(file, "teams." + key, teams.get(key))
                .orElseThrow(
                        () -> new ConfigException(file + ": 'teams." + key + "' is missing; the bot needs " + what));
    }

    private static Optional<URI> optionalUrl(Path file, Map<?, ?> teams, String key) {
        return string(file, "teams." + key, teams.get(key)).map(url -> httpUrl(file, "teams." + key, url));
    }

    private static URI httpUrl(Path file, String key, String url) {
        try {
            URI uri = new URI(url);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                // Not echoed: a Workflows URL is a credential (its sig parameter).
                throw new ConfigException(file + ": '" + key + "' must be an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(
                    file + ": '" + key + "' is not a URL: " + e.getReason() + " at index " + e.getIndex());
        }
    }

    private static Optional<String> string(Path file, String key, @Nullable Object value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String || value instanceof Number) {
            return Optional.of(value.toString());
        }
        throw new ConfigException(file + ": '" + key + "' must be a string");
    }
}
