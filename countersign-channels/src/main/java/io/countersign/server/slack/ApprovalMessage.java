package io.countersign.server.slack;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;
import static java.util.Objects.requireNonNull;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import io.countersign.identity.Delegation;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The Block Kit message for one request, as it is now: who asks (and for whom), what, why, which
 * rule, until when, and either the buttons (Approve / Deny, or a console link for step-up rules)
 * or the outcome. Everything the agent wrote is escaped, so a reason or a param can't mention
 * {@code @channel} or forge a link, and cut to a readable length, with the console for the rest.
 */
public final class ApprovalMessage {
    /** The action ids Countersign's buttons carry; each button's value is the request id. */
    public static final String APPROVE = "countersign_approve";

    public static final String DENY = "countersign_deny";
    public static final String OPEN_CONSOLE = "countersign_open_console";

    static final int MAX_PARAMS = 8;
    static final int MAX_PARAM_CHARS = 120;
    static final int MAX_REASON_CHARS = 1000;

    /** The fallback text (notifications, screen readers) and the blocks. */
    public record Rendered(String text, List<LayoutBlock> blocks) {
        public Rendered {
            requireNonNull(text, "text is null");
            blocks = List.copyOf(requireNonNull(blocks, "blocks is null"));
        }
    }

    private ApprovalMessage() {}

    /** The console page of a request under {@code consoleBase}. */
    public static String consoleUrl(String consoleBase, ApprovalRequest request) {
        return consoleBase + "/console/requests/" + request.id().value();
    }

    public static Rendered render(ApprovalRequest request, String consoleBase) {
        requireNonNull(request, "request is null");
        String console = consoleUrl(requireNonNull(consoleBase, "consoleBase is null"), request);
        String what = "`" + code(request.action().action()) + "` on `"
                + code(request.action().resource()) + "`";
        List<LayoutBlock> blocks = new ArrayList<>();
        blocks.add(section(s -> s.text(
                markdownText(headline(request) + "\n*" + escape(request.agent().name()) + "* wants " + what))));
        List<TextObject> fields = new ArrayList<>();
        fields.add(markdownText("*Agent*\n" + escape(request.agent().name()) + actingFor(request)));
        fields.add(markdownText("*Rule" + (request.decision().rules().size() == 1 ? "" : "s") + "*\n"
                + (request.decision().rules().isEmpty()
                        ? "the policy's default"
                        : escape(String.join(", ", request.decision().rules())))));
        fields.add(markdownText("*Approvers*\n" + escape(approvers(request))));
        request.expiresAt().ifPresent(at -> fields.add(markdownText("*Expires*\n" + slackDate(at))));
        blocks.add(section(s -> s.fields(fields)));
        blocks.add(section(s ->
                s.text(markdownText("*Reason*\n" + quote(cut(request.action().reason(), MAX_REASON_CHARS))))));
        params(request.action().paramsView(), console)
                .ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
        votes(request).ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
        outcome(request).ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
        if (request.isPending()) {
            blocks.add(actions(a -> a.blockId("countersign_decide").elements(buttons(request, console))));
        }
        blocks.add(context(
                c -> c.elements(List.of(markdownText("Request `" + request.id().value() + "` · policy `"
                        + code(shortVersion(request.decision().policyVersion())) + "` · <" + console
                        + "|Open in Countersign>")))));
        String text = plainHeadline(request) + ": " + request.agent().name() + " wants "
                + request.action().action() + " on " + request.action().resource();
        return new Rendered(escape(text), blocks);
    }

    private static List<BlockElement> buttons(ApprovalRequest request, String console) {
        if (request.decision().approvals().stream().anyMatch(ApprovalRequirement::stepUp)) {
            // A step-up rule needs a fresh sign-in, which a Slack click can't prove: decide in the console.
            return List.of(button(b -> b.actionId(OPEN_CONSOLE)
                    .value(request.id().value())
                    .url(console)
                    .text(plainText("Decide in the console"))));
        }
        return List.of(
                button(b -> b.actionId(APPROVE)
                        .value(request.id().value())
                        .style("primary")
                        .text(plainText("Approve"))),
                button(b -> b.actionId(DENY)
                        .value(request.id().value())
                        .style("danger")
                        .text(plainText("Deny"))));
    }

    private static String headline(ApprovalRequest request) {
        return switch (request.status()) {
            case PENDING -> ":raised_hand: *Approval needed*";
            case APPROVED -> ":white_check_mark: *Approved*";
            case DENIED -> ":no_entry: *Denied*";
            case EXPIRED -> ":hourglass: *Expired*";
            case CANCELLED -> ":heavy_multiplication_x: *Cancelled*";
            case EXECUTED -> ":white_check_mark: *Approved and executed*";
            case FAILED -> ":warning: *Approved; execution failed*";
        };
    }

    private static String plainHeadline(ApprovalRequest request) {
        return switch (request.status()) {
            case PENDING -> "Approval needed";
            case APPROVED -> "Approved";
            case DENIED -> "Denied";
            case EXPIRED -> "Expired";
            case CANCELLED -> "Cancelled";
            case EXECUTED -> "Approved and executed";
            case FAILED -> "Approved; execution failed";
        };
    }

    private static String actingFor(ApprovalRequest request) {
        return request.onBehalfOf()
                .map(human -> "\nacting for " + escape(human.display())
                        + (request.delegation() == Delegation.VERIFIED ? " (verified)" : " (claimed, not verified)"))
                .orElse("");
    }

    private static String approvers(ApprovalRequest request) {
        List<String> parts = new ArrayList<>();
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            parts.add(requirement.quorum() + " of "
                    + String.join(", ", requirement.groups().stream().sorted().toList())
                    + (requirement.stepUp() ? " (fresh sign-in)" : ""));
        }
        return String.join("; ", parts);
    }

    private static Optional<String> params(JsonNode params, String console) {
        if (params.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder("*Params*");
        int shown = 0;
        boolean cut = false;
        for (Map.Entry<String, JsonNode> param : params.properties()) {
            if (shown == MAX_PARAMS) {
                cut = true;
                break;
            }
            String value = param.getValue().isString()
                    ? param.getValue().stringValue()
                    : param.getValue().toString();
            cut |= value.length() > MAX_PARAM_CHARS;
            text.append("\n• `")
                    .append(code(cut(param.getKey(), 60)))
                    .append("`: ")
                    .append(escape(cut(value, MAX_PARAM_CHARS)));
            shown++;
        }
        if (cut) {
            text.append("\n_Cut short; <").append(console).append("|all params in the console>_");
        }
        return Optional.of(text.toString());
    }

    private static Optional<String> votes(ApprovalRequest request) {
        if (request.votes().isEmpty()) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder("*Votes*");
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            if (requirement.quorum() > 1) {
                long approvals = request.votes().stream()
                        .filter(vote -> vote.choice() == Vote.Choice.APPROVE)
                        .filter(vote -> vote.groups().stream().anyMatch(requirement.groups()::contains))
                        .map(vote -> vote.email().isBlank()
                                ? vote.voter()
                                : vote.email().toLowerCase(java.util.Locale.ROOT))
                        .distinct()
                        .count();
                text.append("\n")
                        .append(Math.min(approvals, requirement.quorum()))
                        .append(" of ")
                        .append(requirement.quorum())
                        .append(" approvals for rule ")
                        .append(escape(requirement.rule()));
            }
        }
        for (Vote vote : request.votes()) {
            text.append("\n• ")
                    .append(escape(vote.voter()))
                    .append(vote.choice() == Vote.Choice.APPROVE ? " approved" : " denied")
                    .append(" via ")
                    .append(escape(vote.channel()))
                    .append(", ")
                    .append(slackDate(vote.time()))
                    .append(vote.comment()
                            .map(comment -> ": " + escape(cut(comment, 300)))
                            .orElse(""));
        }
        return Optional.of(text.toString());
    }

    private static Optional<String> outcome(ApprovalRequest request) {
        if (request.isPending()) {
            return Optional.empty();
        }
        String by = request.decidedBy().map(ApprovalMessage::who).orElse("?");
        String when = request.decidedAt().map(ApprovalMessage::slackDate).orElse("");
        String decided =
                switch (request.status()) {
                    case APPROVED, EXECUTED, FAILED ->
                        "*Approved* by " + escape(by) + " " + when
                                + request.breakGlass()
                                        .map(glass -> " (break-glass: " + escape(cut(glass.reason(), 200)) + ")")
                                        .orElse("");
                    case DENIED -> "*Denied* by " + escape(by) + " " + when + denialComment(request);
                    case EXPIRED -> "*Expired* " + when + ": nobody decided in time";
                    case CANCELLED -> "*Cancelled* by " + escape(by) + " " + when;
                    case PENDING -> throw new IllegalStateException("request " + request.id() + " is pending");
                };
        if (request.execution().isPresent()) {
            Execution execution = request.execution().get();
            decided += "\n*Execution " + execution.outcome().wireName() + "* " + slackDate(execution.time())
                    + execution
                            .detail()
                            .map(detail -> ": " + escape(cut(detail, 300)))
                            .orElse("");
        }
        return Optional.of(decided
                + request.resolution().map(why -> "\n" + escape(cut(why, 300))).orElse(""));
    }

    private static String denialComment(ApprovalRequest request) {
        return request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.DENY)
                .reduce((first, second) -> second)
                .flatMap(Vote::comment)
                .map(comment -> "\n" + quote(cut(comment, 500)))
                .orElse("");
    }

    /** {@code human:alice} → {@code alice}; {@code system}, {@code policy} stay. */
    private static String who(String decidedBy) {
        int colon = decidedBy.indexOf(':');
        return colon < 0 ? decidedBy : decidedBy.substring(colon + 1);
    }

    private static String shortVersion(String version) {
        return version.length() > 19 ? version.substring(0, 19) : version;
    }

    /** Slack shows the date in the reader's own time zone; the fallback is UTC. */
    static String slackDate(Instant at) {
        return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time}|" + at + ">";
    }

    private static String quote(String text) {
        return ">" + escape(text).replace("\n", "\n>");
    }

    /** Slack's mrkdwn control characters; what is left can't become a mention, a link or a command. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Inside a code span: escaped, and without backticks that would end it early. */
    private static String code(String text) {
        return escape(text).replace('`', '\'');
    }

    /** At most {@code max} characters, with an ellipsis when cut, never splitting a surrogate pair. */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    /** Whether the request ever needed a human: the only ones Slack hears about after creation. */
    static boolean neededApproval(Optional<ApprovalRequest> request) {
        return request.map(r -> !r.decision().approvals().isEmpty()).orElse(false);
    }

    static boolean isPending(Optional<ApprovalRequest> request) {
        return request.map(r -> r.status() == RequestStatus.PENDING).orElse(false);
    }
}
