package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code teams:} section of {@code countersign.yaml} (parsed by {@link TeamsConfigSection}).
 * Either part may be configured alone: the bot (an {@code appId} and a conversation to post to), the
 * Workflows webhook ({@code workflowUrl}), or both.
 *
 * @param bot the Bot Framework bot, when {@code appId} is set
 * @param workflowUrl the Workflows (Power Automate) "When a Teams webhook request is received" URL
 * @param consoleBaseUrl where the cards' console links point; by default the gateway's base URL
 */
public record TeamsConfig(Optional<Bot> bot, Optional<URI> workflowUrl, Optional<String> consoleBaseUrl) {
    public static final URI DEFAULT_TOKEN_URL =
            URI.create("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token");
    public static final String DEFAULT_SCOPE = "https://api.botframework.com/.default";
    public static final URI DEFAULT_OPENID_METADATA_URL =
            URI.create("https://login.botframework.com/v1/.well-known/openidconfiguration");
    public static final String DEFAULT_ISSUER = "https://api.botframework.com";

    public TeamsConfig {
        requireNonNull(bot, "bot is null");
        requireNonNull(workflowUrl, "workflowUrl is null");
        requireNonNull(consoleBaseUrl, "consoleBaseUrl is null");
        consoleBaseUrl = consoleBaseUrl.map(url -> url.replaceAll("/+$", ""));
    }

    public static TeamsConfig none() {
        return new TeamsConfig(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public boolean enabled() {
        return bot.isPresent() || workflowUrl.isPresent();
    }

    /**
     * The bot: its Microsoft app id and password (client credentials at {@code tokenUrl}), where the
     * Bot Connector's tokens come from ({@code openIdMetadataUrl}, {@code issuer}), the conversation
     * requests are posted to, and how Teams users map to humans.
     *
     * @param users AAD object id to the email of a human in the gateway, for users whose UPN is not their email
     * @param tenantId when set, invokes from any other Microsoft Entra tenant are refused
     */
    public record Bot(
            String appId,
            Secret appPassword,
            URI tokenUrl,
            String scope,
            URI openIdMetadataUrl,
            String issuer,
            URI serviceUrl,
            String conversationId,
            Map<String, String> users,
            Optional<String> tenantId) {
        public Bot {
            requireNonNull(appId, "appId is null");
            requireNonNull(appPassword, "appPassword is null");
            requireNonNull(tokenUrl, "tokenUrl is null");
            requireNonNull(scope, "scope is null");
            requireNonNull(openIdMetadataUrl, "openIdMetadataUrl is null");
            requireNonNull(issuer, "issuer is null");
            requireNonNull(serviceUrl, "serviceUrl is null");
            requireNonNull(conversationId, "conversationId is null");
            requireNonNull(tenantId, "tenantId is null");
            if (appId.isBlank()) {
                throw new IllegalArgumentException("teams.appId is blank");
            }
            if (conversationId.isBlank()) {
                throw new IllegalArgumentException("teams.conversationId is blank");
            }
            // AAD object ids are GUIDs; Teams sends them in lower case, people paste them in any case.
            TreeMap<String, String> normalized = new TreeMap<>();
            requireNonNull(users, "users is null")
                    .forEach((id, email) -> normalized.put(id.toLowerCase(Locale.ROOT), email));
            users = Map.copyOf(normalized);
        }

        /** The connector's base URL without a trailing slash, as paths are appended to it. */
        public String serviceBase() {
            return serviceUrl.toString().replaceAll("/+$", "");
        }

        @Override
        public String toString() {
            return "Bot[appId=" + appId + ", appPassword=***, tokenUrl=" + tokenUrl + ", openIdMetadataUrl="
                    + openIdMetadataUrl + ", issuer=" + issuer + ", serviceUrl=" + serviceUrl + ", conversationId="
                    + conversationId + ", users=" + users.size() + "]";
        }
    }

    @Override
    public String toString() {
        // The Workflows URL carries its own signature (sig=...): whoever has it can post to the channel.
        return "TeamsConfig[bot=" + bot + ", workflowUrl="
                + workflowUrl
                        .map(url -> url.getScheme() + "://" + url.getHost() + "/***")
                        .orElse("none") + ", consoleBaseUrl=" + consoleBaseUrl.orElse("the gateway's") + "]";
    }
}
