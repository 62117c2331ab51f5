package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.server.channels.Channel;
import io.countersign.server.channels.DeliveryFailure;
import io.countersign.server.channels.Notification;
import io.countersign.server.slack.SlackApi.MessageRef;
import io.countersign.workflow.ApprovalRequest;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Approval requests in Slack: one message per request that needs a human, posted when it is
 * created to the channel its rule names ({@code approval.notify.slack}) or the default channel,
 * and updated in place (chat.update) on every later vote, decision and execution. Notices (a
 * break-glass approval, say) go to the default channel as plain messages.
 */
public final class SlackChannel implements Channel {
    public static final String NAME = "slack";

    private final SlackApi api;
    private final String defaultChannel;
    private final Supplier<String> consoleBase;

    public SlackChannel(SlackApi api, String defaultChannel, Supplier<String> consoleBase) {
        this.api = requireNonNull(api, "api is null");
        this.defaultChannel = requireNonNull(defaultChannel, "defaultChannel is null");
        this.consoleBase = requireNonNull(consoleBase, "consoleBase is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean wants(NotificationType type, Optional<ApprovalRequest> request) {
        return switch (type) {
            case REQUEST_CREATED -> ApprovalMessage.isPending(request);
            case REQUEST_VOTED, REQUEST_ESCALATED, REQUEST_DECIDED, ACTION_EXECUTED ->
                ApprovalMessage.neededApproval(request);
            case NOTICE -> true;
        };
    }

    @Override
    public Optional<String> deliver(Notification notification) throws DeliveryFailure {
        if (notification.type() == NotificationType.NOTICE) {
            api.postMessage(defaultChannel, noticeText(notification.payload()), java.util.List.of());
            return Optional.empty();
        }
        ApprovalRequest request = notification
                .request()
                .orElseThrow(() -> new IllegalArgumentException("notification " + notification.id() + " ("
                        + notification.type().wireName() + ") has no request"));
        ApprovalMessage.Rendered message = ApprovalMessage.render(request, consoleBase.get());
        try {
            return Optional.of(send(notification, request, message));
        } catch (SlackApi.SlackCallFailed refused) {
            if (refused.kind() != DeliveryFailure.Kind.PERMANENT || !SlackErrors.isAboutTheMessage(refused.error())) {
                throw refused;
            }
            // Slack refused what we sent, not where: the approvers still hear of the request, and the
            // delivery fails with Slack's detail for an admin to see.
            String fallback = send(notification, request, ApprovalMessage.minimal(request, consoleBase.get()));
            throw new DeliveryFailure(
                    DeliveryFailure.Kind.PERMANENT,
                    refused.getMessage() + "; sent the minimal message instead",
                    Optional.empty(),
                    Optional.of(fallback),
                    refused);
        }
    }

    private String send(Notification notification, ApprovalRequest request, ApprovalMessage.Rendered message)
            throws SlackApi.SlackCallFailed {
        if (notification.messageRef().isPresent()) {
            // A later event, or the creation again after a crash: the message exists, show the request as it is now.
            MessageRef ref = MessageRef.parse(notification.messageRef().get());
            api.updateMessage(ref, message.text(), message.blocks());
            return ref.asString();
        }
        return api.postMessage(channelFor(request), message.text(), message.blocks())
                .asString();
    }

    /** The first channel a matching rule names, else the default. */
    String channelFor(ApprovalRequest request) {
        return request.decision().approvals().stream()
                .map(ApprovalRequirement::notifyTo)
                .map(targets -> targets.get(NAME))
                .filter(channel -> channel != null)
                .findFirst()
                .orElse(defaultChannel);
    }

    private static String noticeText(JsonNode payload) {
        String subject = text(payload, "subject");
        String body = text(payload, "text");
        String group = text(payload, "group");
        // A notice is plain text; Slack truncates text past 40,000 characters, so keep well inside.
        return Mrkdwn.plain(
                (subject.isEmpty() ? "Countersign notice" : subject)
                        + (group.isEmpty() ? "" : " (for " + group + ")")
                        + (body.isEmpty() ? "" : "\n" + body),
                3000);
    }

    private static String text(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        return value == null || !value.isString() ? "" : value.stringValue();
    }
}
