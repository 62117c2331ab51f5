package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.server.identity.HumanDirectory;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Who clicked, as a human of the gateway. The activity arrived with a Bot Connector token for this
 * bot, so its {@code from} is what Microsoft Teams says about the user: their AAD object id, and
 * through the conversation's member list their UPN, whose domain the tenant has verified. The
 * AAD object id is looked up in {@code teams.users} first (for people whose UPN is not their
 * email), then the UPN is taken as a verified email; either way the human comes from
 * {@link HumanDirectory#byVerifiedEmail}, and nobody else's word counts.
 */
final class TeamsUsers {
    private static final Logger LOG = LoggerFactory.getLogger(TeamsUsers.class);

    /** The human, or why there is none (safe to show to the user who clicked). */
    record Found(Optional<Human> human, String refusal) {}

    private final TeamsConfig.Bot bot;
    private final BotConnector connector;
    private final HumanDirectory directory;

    TeamsUsers(TeamsConfig.Bot bot, BotConnector connector, HumanDirectory directory) {
        this.bot = requireNonNull(bot, "bot is null");
        this.connector = requireNonNull(connector, "connector is null");
        this.directory = requireNonNull(directory, "directory is null");
    }

    Found whoSent(JsonNode activity) {
        JsonNode from = activity.path("from");
        String tenant = activity.path("channelData")
                .path("tenant")
                .path("id")
                .asString(activity.path("conversation").path("tenantId").asString(""));
        if (bot.tenantId().isPresent() && !bot.tenantId().get().equalsIgnoreCase(tenant)) {
            return refused("this bot takes decisions from its own Microsoft Entra tenant only");
        }
        String aadObjectId = from.path("aadObjectId").asString("").toLowerCase(Locale.ROOT);
        if (!aadObjectId.isEmpty() && bot.users().containsKey(aadObjectId)) {
            return lookUp(bot.users().get(aadObjectId), "teams.users maps your account to");
        }
        Optional<String> upn = upn(activity, from);
        if (upn.isEmpty()) {
            return refused(
                    "Countersign could not read your Teams account's user principal name; ask an admin to map your AAD object id "
                            + (aadObjectId.isEmpty() ? "" : "(" + aadObjectId + ") ") + "in teams.users");
        }
        return lookUp(upn.get(), "your Teams account is");
    }

    private Found lookUp(String email, String how) {
        Optional<Human> human = directory.byVerifiedEmail(email);
        return human.isPresent()
                ? new Found(human, "")
                : refused(how + " " + email + ", and no one (or more than one human) in Countersign has that email");
    }

    /** From the activity when Teams sent it there, else from the conversation's member list. */
    private Optional<String> upn(JsonNode activity, JsonNode from) {
        String given = from.path("userPrincipalName").asString("");
        if (!given.isEmpty()) {
            return Optional.of(given);
        }
        String userId = from.path("id").asString("");
        String conversationId = activity.path("conversation").path("id").asString("");
        if (userId.isEmpty() || conversationId.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode member = connector.member(conversationId, userId);
            String memberUpn = member.path("userPrincipalName").asString("");
            String memberAad = member.path("aadObjectId").asString("");
            // The member list must describe the same account the activity names.
            if (!memberAad.isEmpty()
                    && !memberAad.equalsIgnoreCase(from.path("aadObjectId").asString(memberAad))) {
                return Optional.empty();
            }
            return memberUpn.isEmpty() ? Optional.empty() : Optional.of(memberUpn);
        } catch (IOException e) {
            LOG.warn("teams: reading member {} of the conversation failed: {}", userId, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Found refused(String why) {
        return new Found(Optional.empty(), why);
    }
}
