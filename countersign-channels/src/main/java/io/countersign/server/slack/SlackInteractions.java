package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.WireText;
import io.countersign.server.slack.SlackApi.MessageRef;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Vote;
import io.countersign.workflow.Voter;
import io.countersign.workflow.VotingRule;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /integrations/slack/interactions}, Slack's interactivity request URL. No bearer
 * token: a request counts only with a valid {@code X-Slack-Signature} over its raw body and a
 * timestamp within 5 minutes; anything else is a 401 that changes nothing. A click is answered at
 * once (Slack gives 3 seconds) and worked on in the background: the clicking Slack user becomes a
 * human ({@link SlackUsers}), the one voting rule decides, and a refused click gets an ephemeral
 * explanation. Deny opens a modal for the comment a denial needs; its submission is handled
 * inline so that a refusal shows in the modal.
 */
public final class SlackInteractions {
    public static final String PATH = "/integrations/slack/interactions";
    public static final String CHANNEL = "slack";
    private static final Logger LOG = LoggerFactory.getLogger(SlackInteractions.class);

    private final SlackSignature signature;
    private final SlackApi api;
    private final SlackUsers users;
    private final Workflow workflow;
    private final Supplier<String> consoleBase;
    private final JsonMapper mapper;
    private final Clock clock;
    private final ExecutorService background;
    private final Function<RequestId, List<MessageRef>> postedMessage;

    /** One button click, as the payload tells it. */
    private record Click(
            String actionId,
            String value,
            String user,
            String channel,
            Optional<MessageRef> message,
            String triggerId) {}

    public SlackInteractions(
            SlackSignature signature,
            SlackApi api,
            SlackUsers users,
            Workflow workflow,
            Supplier<String> consoleBase,
            JsonMapper mapper,
            Clock clock,
            ExecutorService background,
            Function<RequestId, List<MessageRef>> postedMessage) {
        this.signature = requireNonNull(signature, "signature is null");
        this.api = requireNonNull(api, "api is null");
        this.users = requireNonNull(users, "users is null");
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.consoleBase = requireNonNull(consoleBase, "consoleBase is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.background = requireNonNull(background, "background is null");
        this.postedMessage = requireNonNull(postedMessage, "postedMessage is null");
    }

    public void register(RoutesConfig routes) {
        routes.post(PATH, this::interaction, Access.ANYONE);
    }

    private void interaction(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        Optional<String> refusal = signature.refusal(
                ctx.header("X-Slack-Request-Timestamp"), ctx.header("X-Slack-Signature"), body, clock.instant());
        if (refusal.isPresent()) {
            LOG.warn("slack interaction refused: {}", refusal.get());
            throw ApiProblem.unauthorized("not a request from Slack: " + refusal.get());
        }
        JsonNode payload = payload(body);
        ctx.status(200).result("");
        switch (payload.path("type").asString("")) {
            case "block_actions" -> click(payload).ifPresent(click -> background.execute(() -> handleClick(click)));
            case "view_submission" -> submission(ctx, payload);
            default ->
                LOG.debug(
                        "slack interaction of type '{}' ignored",
                        payload.path("type").asString(""));
        }
    }

    /** Interactivity payloads arrive form-encoded, as {@code payload=<url-encoded JSON>}. */
    private JsonNode payload(byte[] body) {
        String form = new String(body, StandardCharsets.UTF_8);
        for (String pair : form.split("&")) {
            if (pair.startsWith("payload=")) {
                try {
                    JsonNode payload = mapper.readTree(
                            URLDecoder.decode(pair.substring("payload=".length()), StandardCharsets.UTF_8));
                    if (payload != null && payload.isObject()) {
                        WireText.requireAll(payload);
                        return payload;
                    }
                } catch (JacksonException | IllegalArgumentException e) {
                    throw ApiProblem.badRequest("the payload is not JSON");
                }
            }
        }
        throw ApiProblem.badRequest("no 'payload' form field; this endpoint takes Slack interactivity payloads");
    }

    private static Optional<Click> click(JsonNode payload) {
        JsonNode action = payload.path("actions").path(0);
        String actionId = action.path("action_id").asString("");
        if (!actionId.equals(ApprovalMessage.APPROVE) && !actionId.equals(ApprovalMessage.DENY)) {
            return Optional.empty(); // the console link button, or someone else's block: nothing to do
        }
        JsonNode container = payload.path("container");
        String channel = container
                .path("channel_id")
                .asString(payload.path("channel").path("id").asString(""));
        String ts = container.path("message_ts").asString("");
        Optional<MessageRef> message =
                channel.isEmpty() || ts.isEmpty() ? Optional.empty() : Optional.of(new MessageRef(channel, ts));
        return Optional.of(new Click(
                actionId,
                action.path("value").asString(""),
                payload.path("user").path("id").asString(""),
                channel,
                message,
                payload.path("trigger_id").asString("")));
    }

    private void handleClick(Click click) {
        try {
            Vote.Choice choice =
                    click.actionId().equals(ApprovalMessage.APPROVE) ? Vote.Choice.APPROVE : Vote.Choice.DENY;
            Optional<ApprovalRequest> request =
                    RequestId.isValid(click.value()) ? workflow.find(new RequestId(click.value())) : Optional.empty();
            if (request.isEmpty()) {
                tell(click, "Countersign has no request '" + click.value() + "'.");
                return;
            }
            // The button's value names the request; the message it sits on must be that request's own, or
            // a signed click naming request B on request A's message would vote on B and rewrite A's message.
            List<MessageRef> recorded = recordedMessages(request.get().id(), click.message());
            if (click.message().isEmpty() || !recorded.contains(click.message().get())) {
                LOG.warn(
                        "slack click by {} names request {} but was made on message {}, not its own ({})",
                        click.user(),
                        click.value(),
                        click.message().map(MessageRef::asString).orElse("(none)"),
                        recorded.isEmpty()
                                ? "(none)"
                                : String.join(
                                        ", ",
                                        recorded.stream()
                                                .map(MessageRef::asString)
                                                .toList()));
                tell(click, "This button is not on request " + click.value() + "'s message; nothing was recorded.");
                return;
            }
            Optional<Voter> voter;
            try {
                voter = voter(click.user(), text -> tell(click, text));
            } catch (SlackApi.SlackCallFailed e) {
                LOG.warn(
                        "slack users.info for {} failed; the click on {} is not recorded",
                        click.user(),
                        click.value(),
                        e);
                tell(
                        click,
                        "Slack could not tell Countersign who you are, so your click was not recorded. Try again in a"
                                + " moment.");
                return;
            }
            if (voter.isEmpty()) {
                return;
            }
            Optional<VotingRule.Refusal> refused = workflow.whyNotAllowedToVote(voter.get(), choice, request.get());
            if (refused.isPresent()) {
                // Refused here rather than by approve(): recorded the same way (vote.refused), step-up aside.
                workflow.recordRefusedVote(voter.get(), choice, request.get(), CHANNEL, refused.get());
                tell(
                        click,
                        "You can't " + choice.wireName() + " this request: "
                                + refused.get().reason()
                                + (refused.get().stepUpRequired()
                                        ? " Decide in the console: "
                                                + ApprovalMessage.consoleUrl(consoleBase.get(), request.get())
                                        : ""));
                return;
            }
            if (choice == Vote.Choice.DENY) {
                api.openView(click.triggerId(), DenyModal.build(request.get(), click.message(), mapper));
                return;
            }
            try {
                ApprovalRequest after =
                        workflow.approve(voter.get(), request.get().id(), Optional.empty(), CHANNEL);
                click.message().ifPresent(ref -> update(ref, after.id()));
            } catch (WorkflowException e) {
                tell(click, "Your approval was not recorded: " + e.getMessage());
            }
        } catch (SlackApi.SlackCallFailed | RuntimeException e) {
            LOG.warn("slack click by {} on {} failed", click.user(), click.value(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The messages the outbox recorded for the request (the channel's, the direct ones). Right after the
     * post, the worker may still be recording it: a click that fast waits a moment rather than being refused.
     */
    private List<MessageRef> recordedMessages(RequestId id, Optional<MessageRef> clicked) throws InterruptedException {
        List<MessageRef> recorded = postedMessage.apply(id);
        for (int tries = 0; clicked.isPresent() && !recorded.contains(clicked.get()) && tries < 10; tries++) {
            Thread.sleep(200);
            recorded = postedMessage.apply(id);
        }
        return recorded;
    }

    private void submission(Context ctx, JsonNode payload) {
        JsonNode view = payload.path("view");
        Optional<DenyModal.Target> target = DenyModal.target(view, mapper);
        if (target.isEmpty()) {
            return;
        }
        String comment = DenyModal.comment(view).strip();
        if (comment.isEmpty()) {
            modalError(ctx, "A denial needs a comment saying why.");
            return;
        }
        StringBuilder why = new StringBuilder();
        Optional<Voter> voter;
        try {
            voter = voter(payload.path("user").path("id").asString(""), why::append);
        } catch (SlackApi.SlackCallFailed e) {
            LOG.warn("slack users.info failed for a deny submission", e);
            modalError(ctx, "Slack could not tell Countersign who you are; try again.");
            return;
        }
        if (voter.isEmpty()) {
            modalError(ctx, why.toString());
            return;
        }
        try {
            ApprovalRequest after = workflow.deny(voter.get(), target.get().request(), comment, CHANNEL);
            target.get().message().ifPresent(ref -> background.execute(() -> update(ref, after.id())));
        } catch (WorkflowException e) {
            modalError(ctx, "Your denial was not recorded: " + e.getMessage());
        }
    }

    /** Slack shows these under the comment field and keeps the modal open. */
    private void modalError(Context ctx, String text) {
        ObjectNode answer = mapper.createObjectNode();
        answer.put("response_action", "errors");
        answer.putObject("errors").put(DenyModal.COMMENT_BLOCK, ApprovalMessage.cut(text, 1500));
        ctx.status(200).contentType("application/json").result(mapper.writeValueAsString(answer));
    }

    private Optional<Voter> voter(String slackUser, java.util.function.Consumer<String> refuse)
            throws SlackApi.SlackCallFailed {
        if (slackUser.isEmpty()) {
            refuse.accept("Slack did not say who you are.");
            return Optional.empty();
        }
        return switch (users.human(slackUser)) {
            case SlackUsers.Found found -> Optional.of(Voter.of(found.human()));
            case SlackUsers.Unknown unknown -> {
                refuse.accept("You can't vote from Slack: " + unknown.why() + ".");
                yield Optional.empty();
            }
        };
    }

    /** The message right after a vote; the outbox's own update follows, from the same state or a later one. */
    private void update(MessageRef ref, RequestId id) {
        try {
            Optional<ApprovalRequest> now = workflow.find(id);
            if (now.isPresent()) {
                ApprovalMessage.Rendered message = ApprovalMessage.render(now.get(), consoleBase.get());
                api.updateMessage(ref, message.text(), message.blocks());
            }
        } catch (SlackApi.SlackCallFailed | RuntimeException e) {
            LOG.warn("updating slack message {} for {} failed; the outbox will update it", ref.asString(), id, e);
        }
    }

    private void tell(Click click, String text) {
        try {
            if (click.channel().isEmpty()) {
                LOG.info("slack click by {} refused, and no channel to say so in: {}", click.user(), text);
                return;
            }
            api.postEphemeral(click.channel(), click.user(), ApprovalMessage.escape(text));
        } catch (SlackApi.SlackCallFailed e) {
            LOG.warn("slack ephemeral reply to {} failed", click.user(), e);
        }
    }
}
