package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.policy.Effect;
import io.countersign.server.channels.Channel;
import io.countersign.server.channels.Notification;
import io.countersign.workflow.ApprovalRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * For teams without the bot: a Workflows (Power Automate) "When a Teams webhook request is
 * received" URL, which posts the Adaptive Card it is sent. Nobody would receive a click, so the card
 * has no buttons, only "Open in Countersign"; a posted card can't be changed, so this posts once
 * when a request needs approval, once when it escalates, and once more when it is decided.
 */
public final class TeamsWorkflowChannel implements Channel {
    public static final String NAME = "teams-workflow";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final HttpClient http;
    private final ApprovalCard cards;
    private final JsonMapper mapper;

    TeamsWorkflowChannel(URI url, HttpClient http, ApprovalCard cards, JsonMapper mapper) {
        this.url = requireNonNull(url, "url is null");
        this.http = requireNonNull(http, "http is null");
        this.cards = requireNonNull(cards, "cards is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean wants(NotificationType type, Optional<ApprovalRequest> request) {
        if (request.isEmpty() || request.get().decision().effect() != Effect.REQUIRE_APPROVAL) {
            return false;
        }
        return (type == NotificationType.REQUEST_CREATED && request.get().isPending())
                || type == NotificationType.REQUEST_ESCALATED
                || type == NotificationType.REQUEST_DECIDED;
    }

    private ObjectNode message(ObjectNode card) {
        ObjectNode message = mapper.createObjectNode();
        message.put("type", "message");
        message.putArray("attachments").add(cards.attachment(card));
        return message;
    }

    @Override
    public Optional<String> deliver(Notification notification) throws Exception {
        if (notification.request().isEmpty()) {
            return Optional.empty();
        }
        ApprovalRequest request = notification.request().get();
        ObjectNode message = message(cards.render(request, ApprovalCard.Mode.LINK_ONLY));
        if (TeamsLimits.bytes(mapper, message) > TeamsLimits.WORKFLOW_BYTES) {
            // Over Workflows' 28 KB the post fails (413): the short card always fits.
            message = message(cards.minimal(request));
        }
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(url)
                        .timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(message)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            // The URL is a credential (its sig parameter): named by host only.
            throw TeamsLimits.refusal("the Teams Workflows webhook at " + url.getHost(), response);
        }
        return Optional.empty();
    }
}
