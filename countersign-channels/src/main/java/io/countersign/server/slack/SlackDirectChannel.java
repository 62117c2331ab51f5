package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.outbox.NotificationType;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Effect;
import io.countersign.policy.Escalation;
import io.countersign.server.channels.Channel;
import io.countersign.server.channels.DeliveryFailure;
import io.countersign.server.channels.Notification;
import io.countersign.server.slack.SlackApi.MessageRef;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.VotingRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Approval requests in Slack, sent to people rather than to the channel: a direct message to each
 * human who may decide, when the rule asks for it ({@code approval.notify.slack: {dm: true}}) or the
 * config does ({@code slack.dm: true}); and, once a request escalates, a direct message to each
 * member of the groups it escalated to and a message in each Slack channel it names. Every message
 * is the channel message's twin, buttons included, and is updated in place (chat.update) on every
 * later vote, decision and execution.
 *
 * <p>Humans are the gateway's ({@code countersign humans create}), found in Slack by their email
 * (users.lookupByEmail). Whoever the {@link VotingRule} would refuse (the human the request acts for,
 * under any spelling) is not sent one, so never sees a vote button. A human Slack has no user for is
 * recorded, as is a missing scope: the delivery fails with the detail (for an admin to see), keeping
 * the messages that did go out; the channel message is another channel's delivery and does not wait.
 */
public final class SlackDirectChannel implements Channel {
    public static final String NAME = "slack-dm";

    private final SlackApi api;
    private final Function<Set<String>, List<Human>> members;
    private final boolean dmByDefault;
    private final Supplier<String> consoleBase;
    private final VotingRule votingRule = new VotingRule();

    /**
     * @param members the humans with a live credential in any of the groups
     * @param dmByDefault whether every request's approvers get a direct message ({@code slack.dm})
     */
    public SlackDirectChannel(
            SlackApi api,
            Function<Set<String>, List<Human>> members,
            boolean dmByDefault,
            Supplier<String> consoleBase) {
        this.api = requireNonNull(api, "api is null");
        this.members = requireNonNull(members, "members is null");
        this.dmByDefault = dmByDefault;
        this.consoleBase = requireNonNull(consoleBase, "consoleBase is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean wants(NotificationType type, Optional<ApprovalRequest> request) {
        if (type == NotificationType.NOTICE
                || request.isEmpty()
                || request.get().decision().effect() != Effect.REQUIRE_APPROVAL) {
            return false;
        }
        ApprovalRequest about = request.get();
        boolean escalates = about.decision().approvals().stream()
                .anyMatch(requirement -> requirement.escalation().isPresent());
        return switch (type) {
            case REQUEST_CREATED -> about.isPending() && directMessages(about);
            case REQUEST_ESCALATED -> true;
            default -> directMessages(about) || escalates;
        };
    }

    @Override
    public Optional<String> deliver(Notification notification) throws DeliveryFailure {
        ApprovalRequest request = notification
                .request()
                .orElseThrow(() -> new IllegalArgumentException("notification " + notification.id() + " ("
                        + notification.type().wireName() + ") has no request"));
        Progress progress = new Progress(
                notification.messageRef().map(DirectMessages::parse).orElse(DirectMessages.none()));
        ApprovalMessage.Rendered message = ApprovalMessage.render(request, consoleBase.get());
        List<String> unreachable = new ArrayList<>();
        try {
            for (MessageRef ref : progress.sent.messages()) {
                api.updateMessage(ref, message.text(), message.blocks());
            }
            if (request.isPending()) {
                sendToNew(request, message, progress, unreachable);
            }
        } catch (SlackApi.SlackCallFailed failed) {
            // Temporary or rate limited: what went out is kept, so the next attempt does not send it twice.
            throw new DeliveryFailure(
                    failed.kind(), failed.getMessage(), failed.retryAfter(), ref(progress.sent), failed);
        }
        DirectMessages sent = progress.sent;
        if (!unreachable.isEmpty()) {
            throw new DeliveryFailure(
                    DeliveryFailure.Kind.PERMANENT,
                    "slack direct messages of request " + request.id() + " did not reach "
                            + String.join("; ", unreachable) + " ("
                            + sent.messages().size()
                            + " sent; the channel message is not affected)",
                    Optional.empty(),
                    ref(sent),
                    null);
        }
        return ref(sent);
    }

    private static Optional<String> ref(DirectMessages sent) {
        return sent.byRecipient().isEmpty() ? Optional.empty() : Optional.of(sent.asString());
    }

    /** What went out so far in one delivery: kept when a call fails halfway. */
    private static final class Progress {
        private DirectMessages sent;

        Progress(DirectMessages sent) {
            this.sent = sent;
        }
    }

    /** Posts to every recipient the request should reach now and has not; notes who could not be reached. */
    private void sendToNew(
            ApprovalRequest request, ApprovalMessage.Rendered message, Progress progress, List<String> unreachable)
            throws SlackApi.SlackCallFailed {
        Map<String, String> channels = escalationChannels(request);
        for (Map.Entry<String, String> channel : channels.entrySet()) {
            if (!progress.sent.has(channel.getKey())) {
                progress.sent = progress.sent.with(
                        channel.getKey(),
                        Optional.of(api.postMessage(channel.getValue(), message.text(), message.blocks())));
            }
        }
        boolean lookupsRefused = false;
        for (Human human : members.apply(groupsToMessage(request))) {
            String key = DirectMessages.human(human.email());
            if (human.email().isBlank()
                    || progress.sent.has(key)
                    || votingRule.refusal(human, request).isPresent()) {
                continue;
            }
            if (lookupsRefused) {
                continue;
            }
            Optional<String> userId;
            try {
                userId = api.userIdByEmail(human.email());
            } catch (SlackApi.SlackCallFailed e) {
                if (e.kind() != DeliveryFailure.Kind.PERMANENT) {
                    throw e;
                }
                // missing_scope, invalid_auth: every lookup would fail alike; say it once.
                unreachable.add("no one could be looked up: " + e.getMessage());
                lookupsRefused = true;
                continue;
            }
            if (userId.isEmpty()) {
                unreachable.add(human.name() + " (no active Slack user has the email " + human.email() + ")");
                progress.sent = progress.sent.with(key, Optional.empty());
                continue;
            }
            try {
                // A user id as the channel: Slack posts in the app's direct messages with that user.
                progress.sent = progress.sent.with(
                        key, Optional.of(api.postMessage(userId.get(), message.text(), message.blocks())));
            } catch (SlackApi.SlackCallFailed e) {
                if (e.kind() != DeliveryFailure.Kind.PERMANENT) {
                    throw e;
                }
                unreachable.add(human.name() + " (" + e.getMessage() + ")");
                progress.sent = progress.sent.with(key, Optional.empty());
            }
        }
    }

    /** The groups whose members get a direct message: all who may decide with dm on, else those escalated to. */
    private Set<String> groupsToMessage(ApprovalRequest request) {
        Set<String> groups = new LinkedHashSet<>();
        boolean all = directMessages(request);
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            if (all) {
                groups.addAll(request.groupsFor(requirement));
            } else if (request.escalated().contains(requirement.rule())) {
                requirement.escalation().map(Escalation::groups).ifPresent(groups::addAll);
            }
        }
        return groups;
    }

    private static Map<String, String> escalationChannels(ApprovalRequest request) {
        Map<String, String> channels = new LinkedHashMap<>();
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            if (request.escalated().contains(requirement.rule())) {
                requirement
                        .escalation()
                        .map(escalation -> escalation.notifyTo().get(SlackChannel.NAME))
                        .ifPresent(channel -> channels.put(DirectMessages.channel(channel), channel));
            }
        }
        return channels;
    }

    private boolean directMessages(ApprovalRequest request) {
        return dmByDefault
                || request.decision().approvals().stream()
                        .anyMatch(requirement -> requirement.directTo().contains(SlackChannel.NAME));
    }
}
