package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.policy.Effect;
import io.countersign.server.channels.Channel;
import io.countersign.server.channels.Notification;
import io.countersign.workflow.ApprovalRequest;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Teams bot as a channel: a request that needs approval is posted proactively, as an Adaptive
 * Card, to the configured conversation; its votes, decision and execution replace that card in
 * place. The message reference is {@code conversationId|activityId}.
 */
public final class TeamsBotChannel implements Channel {
    public static final String NAME = "teams";
    private static final Set<NotificationType> TYPES = EnumSet.of(
            NotificationType.REQUEST_CREATED,
            NotificationType.REQUEST_VOTED,
            NotificationType.REQUEST_ESCALATED,
            NotificationType.REQUEST_DECIDED,
            NotificationType.ACTION_EXECUTED);

    private final TeamsConfig.Bot bot;
    private final BotConnector connector;
    private final ApprovalCard cards;
    private final JsonMapper mapper;

    TeamsBotChannel(TeamsConfig.Bot bot, BotConnector connector, ApprovalCard cards, JsonMapper mapper) {
        this.bot = requireNonNull(bot, "bot is null");
        this.connector = requireNonNull(connector, "connector is null");
        this.cards = requireNonNull(cards, "cards is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Requests a human decides: posted when created pending, updated on every later change. */
    @Override
    public boolean wants(NotificationType type, Optional<ApprovalRequest> request) {
        if (request.isEmpty()
                || !TYPES.contains(type)
                || request.get().decision().effect() != Effect.REQUIRE_APPROVAL) {
            return false;
        }
        return type != NotificationType.REQUEST_CREATED || request.get().isPending();
    }

    @Override
    public Optional<String> deliver(Notification notification) throws Exception {
        try {
            return deliverCard(notification);
        } catch (BotConnector.BotConnectorRefused refused) {
            throw refused.failure();
        }
    }

    private Optional<String> deliverCard(Notification notification) throws Exception {
        if (notification.request().isEmpty()) {
            return Optional.empty();
        }
        ApprovalRequest request = notification.request().get();
        ObjectNode card = cards.render(request, ApprovalCard.Mode.INTERACTIVE);
        if (TeamsLimits.bytes(mapper, activity(card, Optional.of("x".repeat(200)))) > TeamsLimits.BOT_MESSAGE_BYTES) {
            // Over the Bot Connector's message size it answers 413: the short card always fits.
            card = cards.minimal(request);
        }
        Optional<MessageRef> posted = notification.messageRef().flatMap(MessageRef::parse);
        if (posted.isPresent()) {
            connector.update(
                    posted.get().conversationId(),
                    posted.get().activityId(),
                    activity(card, Optional.of(posted.get().activityId())));
            return Optional.empty();
        }
        // Not posted yet (the first delivery, or the card was never posted): post the request as it is now.
        String activityId = connector.post(bot.conversationId(), activity(card, Optional.empty()));
        return Optional.of(new MessageRef(bot.conversationId(), activityId).text());
    }

    /** A message activity with the card as its one attachment; an update names the activity it replaces. */
    private ObjectNode activity(ObjectNode card, Optional<String> replaces) {
        ObjectNode activity = mapper.createObjectNode();
        activity.put("type", "message");
        replaces.ifPresent(id -> activity.put("id", id));
        activity.putArray("attachments").add(cards.attachment(card));
        return activity;
    }

    /** Where a card was posted: {@code conversationId|activityId}. Conversation ids hold no '|'; the last one splits. */
    record MessageRef(String conversationId, String activityId) {
        MessageRef {
            requireNonNull(conversationId, "conversationId is null");
            requireNonNull(activityId, "activityId is null");
        }

        static Optional<MessageRef> parse(String text) {
            int bar = text.lastIndexOf('|');
            if (bar <= 0 || bar == text.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new MessageRef(text.substring(0, bar), text.substring(bar + 1)));
        }

        String text() {
            return conversationId + "|" + activityId;
        }
    }
}
