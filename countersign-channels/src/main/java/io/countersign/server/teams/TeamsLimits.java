package io.countersign.server.teams;

import io.countersign.server.channels.DeliveryFailure;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Teams accepts, and how its refusals are read. A Workflows ("When a Teams webhook request is
 * received") post is limited to about 28 KB, over which it fails "Request Entity too large"
 * (https://learn.microsoft.com/connectors/teams/#known-issues-and-limitations, and the incoming
 * webhook note at https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook);
 * a bot message to about 40 KB, answered 413
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages). A 429
 * carries {@code Retry-After} (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit);
 * 408 and 5xx are temporary; any other 4xx refuses what we sent, and the same post would be refused again.
 */
final class TeamsLimits {
    /** 28 KB, counted in bytes of the UTF-8 JSON we post. */
    static final int WORKFLOW_BYTES = 28 * 1024;

    static final int BOT_MESSAGE_BYTES = 40 * 1024;

    private TeamsLimits() {}

    static int bytes(JsonMapper mapper, ObjectNode message) {
        return mapper.writeValueAsString(message).getBytes(StandardCharsets.UTF_8).length;
    }

    static DeliveryFailure.Kind kindOf(int status) {
        if (status == 429) {
            return DeliveryFailure.Kind.RATE_LIMITED;
        }
        if (status == 408 || status >= 500) {
            return DeliveryFailure.Kind.TEMPORARY;
        }
        return DeliveryFailure.Kind.PERMANENT;
    }

    static DeliveryFailure refusal(String what, HttpResponse<String> response) {
        return new DeliveryFailure(
                kindOf(response.statusCode()),
                what + " answered " + response.statusCode() + ": " + BotTokens.excerpt(response.body()),
                DeliveryFailure.retryAfterSeconds(response.headers().firstValue("Retry-After")),
                Optional.empty(),
                null);
    }
}
