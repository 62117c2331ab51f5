package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request as an Adaptive Card 1.5: who asks (the agent, and whom it acts for, claimed or verified),
 * what (action, resource, the key params, long values cut), why (the agent's reason), the rule,
 * the expiry, the votes so far, the outcome, and a link to the console. While the request is
 * pending, an interactive card has {@code Action.Execute} Approve and Deny (verbs {@code approve}
 * and {@code deny}, data {@code {requestId}}) and a comment input, which Deny requires; a rule that
 * needs a fresh sign-in (step-up) gets only the console link, since a click in Teams proves no sign-in.
 *
 * <p>Whatever the agent wrote (reason, params, onBehalfOf) and vote comments go into
 * {@code RichTextBlock} text runs, which Adaptive Cards render as plain text: a TextBlock or
 * FactSet would render markdown, and an agent could slip in a link dressed as a button.
 */
public final class ApprovalCard {
    public static final String CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
    public static final String SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";
    public static final String VERSION = "1.5";
    public static final String VERB_APPROVE = "approve";
    public static final String VERB_DENY = "deny";
    /** The id of the comment input; its value arrives in the invoke's {@code action.data}. */
    public static final String COMMENT_INPUT = "comment";

    static final int MAX_VALUE_CHARS = 200;
    static final int MAX_PARAMS = 8;
    static final int MAX_VOTES = 10;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    /** Whether the card may carry buttons: the bot's cards can, a Workflows webhook's can't (nobody would receive the click). */
    public enum Mode {
        INTERACTIVE,
        LINK_ONLY
    }

    private final JsonMapper mapper;
    private final Function<ApprovalRequest, String> consoleUrl;

    /** {@code consoleUrl} gives the console page of a request ({@code <base>/console/requests/<id>}). */
    public ApprovalCard(JsonMapper mapper, Function<ApprovalRequest, String> consoleUrl) {
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.consoleUrl = requireNonNull(consoleUrl, "consoleUrl is null");
    }

    public ObjectNode render(ApprovalRequest request, Mode mode) {
        return render(request, mode, Optional.empty());
    }

    /** With {@code notice} shown at the top in the attention colour: why a click was not recorded. */
    public ObjectNode render(ApprovalRequest request, Mode mode, Optional<String> notice) {
        requireNonNull(request, "request is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(notice, "notice is null");
        ObjectNode card = mapper.createObjectNode();
        card.put("$schema", SCHEMA);
        card.put("type", "AdaptiveCard");
        card.put("version", VERSION);
        card.putObject("msteams").put("width", "Full");
        ArrayNode body = card.putArray("body");
        body.add(textBlock(title(request)).put("size", "Medium").put("weight", "Bolder"));
        notice.ifPresent(text -> body.add(attention(richText("Not recorded: ", text))));
        body.add(textBlock(status(request))
                .put("color", statusColor(request.status()))
                .put("weight", "Bolder")
                .put("spacing", "Small"));
        body.add(facts(request));
        request.onBehalfOf()
                .ifPresent(human -> body.add(richText(
                        "On behalf of: ",
                        cut(human.display()) + " (" + request.delegation().wireName() + ")")));
        body.add(richText("Why: ", cut(request.action().reason())));
        params(request, body);
        policyChange(request, body);
        List<Vote> votes = request.votes();
        for (int i = 0; i < votes.size(); i++) {
            if (i == MAX_VOTES) {
                body.add(textBlock("…and " + (votes.size() - i) + " more vote(s) in the console")
                        .put("isSubtle", true));
                break;
            }
            Vote vote = votes.get(i);
            body.add(richText(
                    (vote.choice() == Vote.Choice.APPROVE ? "Approved by " : "Denied by ")
                            + TeamsText.run(vote.voter(), 200) + " via " + TeamsText.run(vote.channel(), 40) + " at "
                            + TIME.format(vote.time()) + (vote.comment().isPresent() ? ": " : ""),
                    vote.comment().map(ApprovalCard::cut).orElse("")));
        }
        request.execution()
                .ifPresent(execution -> body.add(richText(
                        "Execution " + execution.outcome().wireName() + " at " + TIME.format(execution.time())
                                + (execution.detail().isPresent() ? ": " : ""),
                        execution.detail().map(ApprovalCard::cut).orElse(""))));
        ArrayNode actions = card.putArray("actions");
        boolean stepUp = request.decision().approvals().stream().anyMatch(ApprovalRequirement::stepUp);
        if (request.isPending() && mode == Mode.INTERACTIVE && !stepUp) {
            body.add(mapper.createObjectNode()
                    .put("type", "Input.Text")
                    .put("id", COMMENT_INPUT)
                    .put("isMultiline", true)
                    .put("label", "Comment (required to deny)")
                    .put("placeholder", "Why you approve or deny")
                    .put("maxLength", 1000));
            // Both send the comment. It is not marked isRequired, which would demand it for Approve too; the
            // workflow refuses a denial without one, and the card then says so.
            actions.add(execute("Approve", VERB_APPROVE, request, "positive"));
            actions.add(execute("Deny", VERB_DENY, request, "destructive"));
        }
        String linkTitle = request.isPending() && stepUp
                ? "Approve in Countersign (needs a fresh sign-in)"
                : "Open in Countersign";
        actions.add(mapper.createObjectNode()
                .put("type", "Action.OpenUrl")
                .put("title", linkTitle)
                .put("url", consoleUrl.apply(request)));
        return card;
    }

    /**
     * The least an approver needs, which fits any platform limit whatever the request holds: what is
     * asked, by whom, its state, and the console link. Sent when the full card would be too large.
     */
    public ObjectNode minimal(ApprovalRequest request) {
        ObjectNode card = mapper.createObjectNode();
        card.put("$schema", SCHEMA);
        card.put("type", "AdaptiveCard");
        card.put("version", VERSION);
        ArrayNode body = card.putArray("body");
        body.add(textBlock(title(request)).put("size", "Medium").put("weight", "Bolder"));
        body.add(textBlock(TeamsText.markdown(request.agent().name(), 100) + " wants "
                + TeamsText.markdown(request.action().action(), 100) + " on "
                + TeamsText.markdown(request.action().resource(), 200)));
        body.add(textBlock("The full card is too large for Teams: open the request in Countersign to see it all"
                        + (request.isPending() ? " and decide." : "."))
                .put("isSubtle", true));
        card.putArray("actions")
                .addObject()
                .put("type", "Action.OpenUrl")
                .put("title", "Open in Countersign")
                .put("url", consoleUrl.apply(request));
        return card;
    }

    /** The {@code attachments} entry carrying a card, as activities and Workflows webhooks take it. */
    public ObjectNode attachment(ObjectNode card) {
        ObjectNode attachment = mapper.createObjectNode();
        attachment.put("contentType", CONTENT_TYPE);
        attachment.putNull("contentUrl");
        attachment.set("content", card);
        return attachment;
    }

    private static String title(ApprovalRequest request) {
        String action = TeamsText.markdown(request.action().action(), MAX_VALUE_CHARS);
        return switch (request.status()) {
            case PENDING -> "Approval needed: " + action;
            default -> "Approval request: " + action;
        };
    }

    private static String status(ApprovalRequest request) {
        String by = request.decidedBy()
                .map(who -> " by " + TeamsText.markdown(who, 200))
                .orElse("");
        String at = request.decidedAt().map(time -> " at " + TIME.format(time)).orElse("");
        String why = request.resolution()
                .map(text -> " (" + TeamsText.markdown(text, 600) + ")")
                .orElse("");
        return switch (request.status()) {
            case PENDING -> "Pending: " + progress(request);
            case APPROVED -> "Approved" + by + at + why;
            case DENIED -> "Denied" + by + at + why;
            case EXPIRED -> "Expired" + at + ": nobody decided in time" + why;
            case CANCELLED -> "Cancelled" + by + at + why;
            case EXECUTED -> "Approved" + by + at + ", then executed";
            case FAILED -> "Approved" + by + at + ", then the execution failed";
        };
    }

    /** Per requirement: how many of the approvals it needs it has, from which groups. */
    private static String progress(ApprovalRequest request) {
        StringBuilder text = new StringBuilder();
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            long approvals = request.votes().stream()
                    .filter(vote -> vote.choice() == Vote.Choice.APPROVE
                            && vote.groups().stream().anyMatch(request.groupsFor(requirement)::contains))
                    .map(Vote::voter)
                    .distinct()
                    .count();
            if (!text.isEmpty()) {
                text.append("; ");
            }
            text.append(approvals)
                    .append(" of ")
                    .append(requirement.quorum())
                    .append(requirement.quorum() == 1 ? " approval" : " approvals")
                    .append(" from ")
                    .append(String.join(
                            " or ",
                            request.groupsFor(requirement).stream().sorted().toList()));
            if (requirement.stepUp()) {
                text.append(", with a fresh sign-in");
            }
            if (request.escalated().contains(requirement.rule())) {
                text.append(" (escalated)");
            }
        }
        return text.toString();
    }

    private static String statusColor(RequestStatus status) {
        return switch (status) {
            case PENDING -> "Warning";
            case APPROVED, EXECUTED -> "Good";
            case DENIED, FAILED -> "Attention";
            case EXPIRED, CANCELLED -> "Default";
        };
    }

    /** Names the gateway validated (action, resource, agent, rule), so a FactSet's markdown can't be abused. */
    private ObjectNode facts(ApprovalRequest request) {
        ObjectNode factSet = mapper.createObjectNode().put("type", "FactSet");
        ArrayNode facts = factSet.putArray("facts");
        fact(facts, "Agent", request.agent().name());
        fact(facts, "Action", request.action().action());
        fact(facts, "Resource", request.action().resource());
        fact(
                facts,
                "Rule",
                request.decision().rules().isEmpty()
                        ? "(default)"
                        : String.join(", ", request.decision().rules()));
        // The gateway's own values, with no markdown in them to escape.
        request.expiresAt()
                .ifPresent(expiry -> facts.addObject().put("title", "Expires").put("value", TIME.format(expiry)));
        facts.addObject().put("title", "Request").put("value", request.id().value());
        return factSet;
    }

    /** A FactSet renders markdown in its values: escaped, so a name can't bold, link or list itself. */
    private static void fact(ArrayNode facts, String title, String value) {
        facts.addObject().put("title", title).put("value", TeamsText.markdown(value, MAX_VALUE_CHARS));
    }

    private void params(ApprovalRequest request, ArrayNode body) {
        JsonNode params = request.action().paramsView();
        int shown = 0;
        Iterator<Map.Entry<String, JsonNode>> fields = params.properties().iterator();
        while (fields.hasNext() && shown < MAX_PARAMS) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            body.add(richText(
                    cut(field.getKey()) + ": ",
                    cut(value.isString() ? value.asString() : mapper.writeValueAsString(value))));
            shown++;
        }
        if (params.size() > shown) {
            body.add(textBlock("…and " + (params.size() - shown) + " more parameter(s) in the console")
                    .put("isSubtle", true));
        }
    }

    /**
     * A policy change's review: the replay's impact, the adopted suggestion's evidence and the line
     * diff (monospace, newlines kept), from the params the gateway wrote.
     */
    private void policyChange(ApprovalRequest request, ArrayNode body) {
        if (!request.action().action().equals("policy.change")) {
            return;
        }
        JsonNode params = request.action().paramsView();
        String impact = params.path("impact").path("summary").asString("");
        if (!impact.isEmpty()) {
            body.add(richText("Replay: ", TeamsText.cut(impact, 500)));
        }
        String evidence = params.path("evidence").path("summary").asString("");
        if (!evidence.isEmpty()) {
            body.add(richText("Evidence: ", TeamsText.cut(evidence, 700)));
        }
        String diff = params.path("lineDiff").asString("");
        if (!diff.isEmpty()) {
            ObjectNode block = richText("Line diff:", "");
            ((ArrayNode) block.get("inlines"))
                    .addObject()
                    .put("type", "TextRun")
                    .put("text", "\n" + TeamsText.cut(diff, 1500))
                    .put("fontType", "Monospace");
            body.add(block);
        }
    }

    /** Agent text for a text run: visible (newlines, invisible and bidi characters shown) and cut. */
    static String cut(String text) {
        return TeamsText.run(text, MAX_VALUE_CHARS);
    }

    private ObjectNode textBlock(String text) {
        return mapper.createObjectNode()
                .put("type", "TextBlock")
                .put("text", text)
                .put("wrap", true);
    }

    /** A bold label and a plain-text value: text runs render no markdown. */
    private ObjectNode richText(String label, String value) {
        ObjectNode block = mapper.createObjectNode().put("type", "RichTextBlock");
        ArrayNode inlines = block.putArray("inlines");
        inlines.addObject().put("type", "TextRun").put("text", label).put("weight", "Bolder");
        if (!value.isEmpty()) {
            inlines.addObject().put("type", "TextRun").put("text", value);
        }
        return block;
    }

    /** Colour goes on the runs of a RichTextBlock, not on the block. */
    private static ObjectNode attention(ObjectNode richText) {
        richText.get("inlines").forEach(run -> ((ObjectNode) run).put("color", "Attention"));
        return richText;
    }

    private ObjectNode execute(String title, String verb, ApprovalRequest request, String style) {
        ObjectNode action = mapper.createObjectNode()
                .put("type", "Action.Execute")
                .put("title", title)
                .put("verb", verb)
                .put("style", style)
                .put("associatedInputs", "auto");
        action.putObject("data").put("requestId", request.id().value());
        return action;
    }
}
