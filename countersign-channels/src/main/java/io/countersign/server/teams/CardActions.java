package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Voter;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An {@code adaptiveCard/action} invoke (Universal Actions): Approve or Deny clicked on a card.
 * Maps the sender to a human, votes through the workflow (the one rule for who may vote, channel
 * {@code teams}) and answers with the Universal Actions response: {@code {statusCode: 200, type:
 * "application/vnd.microsoft.card.adaptive", value: <the card as it is now>}}. A refused vote gets the
 * same card with the reason at the top and changes nothing; an invoke that is not ours (an unknown
 * verb, no request id) gets {@code application/vnd.microsoft.error}.
 */
final class CardActions {
    private static final Logger LOG = LoggerFactory.getLogger(CardActions.class);
    static final String ERROR_TYPE = "application/vnd.microsoft.error";

    private final Workflow workflow;
    private final TeamsUsers users;
    private final ApprovalCard cards;
    private final JsonMapper mapper;

    CardActions(Workflow workflow, TeamsUsers users, ApprovalCard cards, JsonMapper mapper) {
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.users = requireNonNull(users, "users is null");
        this.cards = requireNonNull(cards, "cards is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    /** The invoke response's body. */
    ObjectNode handle(JsonNode activity) {
        JsonNode action = activity.path("value").path("action");
        if (!"Action.Execute".equals(action.path("type").asString(""))) {
            return error(400, "BadRequest", "this bot handles Action.Execute only");
        }
        String verb = action.path("verb").asString("");
        if (!ApprovalCard.VERB_APPROVE.equals(verb) && !ApprovalCard.VERB_DENY.equals(verb)) {
            return error(400, "BadRequest", "unknown verb '" + ApprovalCard.cut(verb) + "'; want approve or deny");
        }
        JsonNode data = action.path("data");
        String id = data.path("requestId").asString("");
        if (!RequestId.isValid(id)) {
            return error(400, "BadRequest", "the card's data has no valid requestId");
        }
        RequestId requestId = new RequestId(id);
        Optional<ApprovalRequest> request = workflow.find(requestId);
        if (request.isEmpty()) {
            return error(404, "NotFound", "no request " + id);
        }
        TeamsUsers.Found sender = users.whoSent(activity);
        if (sender.human().isEmpty()) {
            return card(request.get(), Optional.of(sender.refusal()));
        }
        Human human = sender.human().get();
        Optional<String> comment = Optional.of(
                        data.path(ApprovalCard.COMMENT_INPUT).asString("").strip())
                .filter(text -> !text.isEmpty());
        try {
            ApprovalRequest after = ApprovalCard.VERB_APPROVE.equals(verb)
                    ? workflow.approve(Voter.of(human), requestId, comment, TeamsBotChannel.NAME)
                    : workflow.deny(Voter.of(human), requestId, comment.orElse(""), TeamsBotChannel.NAME);
            return card(after, Optional.empty());
        } catch (WorkflowException e) {
            LOG.info("teams: {} of {} by human:{} refused: {}", verb, id, human.name(), e.getMessage());
            String refused = java.util.Objects.requireNonNullElse(e.getMessage(), "no detail");
            String why = e instanceof WorkflowException.StepUpRequired
                    ? refused + "; decide it in the console after signing in"
                    : refused;
            return card(workflow.find(requestId).orElse(request.get()), Optional.of(why));
        }
    }

    private ObjectNode card(ApprovalRequest request, Optional<String> notice) {
        ObjectNode response = mapper.createObjectNode();
        response.put("statusCode", 200);
        response.put("type", ApprovalCard.CONTENT_TYPE);
        response.set("value", cards.render(request, ApprovalCard.Mode.INTERACTIVE, notice));
        return response;
    }

    private ObjectNode error(int status, String code, String message) {
        ObjectNode response = mapper.createObjectNode();
        response.put("statusCode", status);
        response.put("type", ERROR_TYPE);
        response.putObject("value").put("code", code).put("message", message);
        return response;
    }
}
