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
 * or the outcome. Everything the agent wrote is agent text ({@link io.countersign.action.AgentText}:
 * newlines and invisible characters shown), escaped (so it can't mention {@code @channel} or forge a
 * link), in a code span or a quote, and cut, after escaping, to fit Block Kit's limits
 * ({@link BlockKitLimits}), with the console for the rest. Whatever the agent sends, the message fits;
 * should it not, {@link #minimal} goes instead.
 */
public final class ApprovalMessage {
    /** The action ids Countersign's buttons carry; each button's value is the request id. */
    public static final String APPROVE = "countersign_approve";

    public static final String DENY = "countersign_deny";
    public static final String OPEN_CONSOLE = "countersign_open_console";

    static final int MAX_PARAMS = 8;
    static final int MAX_PARAM_CHARS = 200;
    static final int MAX_REASON_CHARS = 2400;
    /** Room for the "cut short" note and its link, with a console URL of up to 400 characters. */
    private static final int LINK_ROOM = 480;

    private static final int NAME = 200;

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
        List<LayoutBlock> blocks = new ArrayList<>();
        blocks.add(section(s -> s.text(markdownText(headline(request) + "\n" + what(request, NAME)))));
        List<TextObject> fields = new ArrayList<>();
        fields.add(
                markdownText("*Agent*\n" + Mrkdwn.agent(request.agent().name(), NAME) + actingFor(request, console)));
        fields.add(markdownText("*Rule" + (request.decision().rules().size() == 1 ? "" : "s") + "*\n"
                + (request.decision().rules().isEmpty()
                        ? "the policy's default"
                        : Mrkdwn.plain(String.join(", ", request.decision().rules()), 1500))));
        fields.add(markdownText("*Approvers*\n" + Mrkdwn.plain(approvers(request), 1500)));
        request.expiresAt().ifPresent(at -> fields.add(markdownText("*Expires*\n" + slackDate(at))));
        blocks.add(section(s -> s.fields(fields)));
        blocks.add(section(s -> s.text(markdownText(reason(request.action().reason(), console)))));
        params(request.action().paramsView(), console)
                .ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
        policyChange(request).ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
        votes(request, console).ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
        outcome(request).ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
        if (request.isPending()) {
            blocks.add(actions(a -> a.blockId("countersign_decide").elements(buttons(request, console))));
        }
        blocks.add(context(
                c -> c.elements(List.of(markdownText("Request `" + request.id().value() + "` · policy "
                        + Mrkdwn.code(shortVersion(request.decision().policyVersion()), 40) + " · <" + console
                        + "|Open in Countersign>")))));
        String text =
                plainHeadline(request) + ": " + Mrkdwn.agent(request.agent().name(), NAME) + " wants "
                        + Mrkdwn.agent(request.action().action(), NAME) + " on "
                        + Mrkdwn.agent(request.action().resource(), 2 * NAME);
        if (!BlockKitLimits.violations(text, blocks).isEmpty()) {
            // A console URL or gateway text longer than any budget above: still reach the approvers.
            return minimal(request, consoleBase);
        }
        return new Rendered(text, blocks);
    }

    /**
     * The least a human needs, in one short section that fits whatever the request holds: who asks
     * for what, its state, and the console link to see the rest and decide. Sent when Slack refused
     * the full message, and updated in place like it.
     */
    public static Rendered minimal(ApprovalRequest request, String consoleBase) {
        String console = consoleUrl(requireNonNull(consoleBase, "consoleBase is null"), request);
        String link = console.length() <= 2000 ? "<" + console + "|Open it in Countersign>" : "Open it in Countersign";
        String body = headline(request) + "\n" + what(request, 100)
                + "\n_The full message could not be shown in Slack._ " + link + " to see it all"
                + (request.isPending() ? " and decide." : ".");
        List<LayoutBlock> blocks = List.of(section(s -> s.text(markdownText(body))));
        String text =
                plainHeadline(request) + ": " + Mrkdwn.agent(request.agent().name(), 100) + " wants "
                        + Mrkdwn.agent(request.action().action(), 100) + " on "
                        + Mrkdwn.agent(request.action().resource(), 100);
        return new Rendered(text, blocks);
    }

    private static String what(ApprovalRequest request, int max) {
        return "*" + Mrkdwn.agent(request.agent().name(), max) + "* wants "
                + Mrkdwn.code(request.action().action(), max) + " on "
                + Mrkdwn.code(request.action().resource(), 2 * max);
    }

    private static String reason(String reason, String console) {
        String text = "*Reason*\n>" + Mrkdwn.agent(reason, MAX_REASON_CHARS);
        return Mrkdwn.wouldCut(reason, MAX_REASON_CHARS)
                ? text + "\n_Cut short; <" + console + "|the full reason in the console>_"
                : text;
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

    /** The claimed human in a code span: "al" U+200B "ice" shows its escape, never as "alice". */
    private static String actingFor(ApprovalRequest request, String console) {
        return request.onBehalfOf()
                .map(human -> "\nacting for " + Mrkdwn.code(human.display(), 1000)
                        + (request.delegation() == Delegation.VERIFIED ? " (verified)" : " (claimed, not verified)")
                        + (Mrkdwn.wouldCut(human.display(), 998) ? " _<" + console + "|in full>_" : ""))
                .orElse("");
    }

    private static String approvers(ApprovalRequest request) {
        List<String> parts = new ArrayList<>();
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            parts.add(requirement.quorum() + " of "
                    + String.join(
                            ", ",
                            request.groupsFor(requirement).stream().sorted().toList())
                    + (requirement.stepUp() ? " (fresh sign-in)" : "")
                    + (request.escalated().contains(requirement.rule()) ? " (escalated)" : ""));
        }
        return String.join("; ", parts);
    }

    /**
     * A policy change's review, what its approvers judge it by: the replay's impact (how many recorded
     * requests change, which that humans denied would pass), the adopted suggestion's evidence, and
     * the line diff. The gateway wrote these params itself, not an agent.
     */
    private static Optional<String> policyChange(ApprovalRequest request) {
        if (!request.action().action().equals("policy.change")) {
            return Optional.empty();
        }
        JsonNode params = request.action().paramsView();
        List<String> parts = new ArrayList<>();
        String impact = params.path("impact").path("summary").asString("");
        if (!impact.isEmpty()) {
            List<String> ids = new ArrayList<>();
            params.path("impact")
                    .path("humanDeniedNowAllowedRequests")
                    .forEach(item -> ids.add(item.path("id").asString("")));
            parts.add("*Replay*: " + Mrkdwn.plain(impact, 500)
                    + (ids.isEmpty()
                            ? ""
                            : " (" + Mrkdwn.plain(String.join(", ", ids.subList(0, Math.min(5, ids.size()))), 300)
                                    + (ids.size() > 5 ? ", …" : "") + ")"));
        }
        String evidence = params.path("evidence").path("summary").asString("");
        if (!evidence.isEmpty()) {
            parts.add("*Evidence*: " + Mrkdwn.plain(evidence, 700));
        }
        String diff = params.path("lineDiff").asString("");
        if (!diff.isEmpty()) {
            // A backtick in the policy would end the code block early.
            parts.add("*Line diff*\n```" + Mrkdwn.plain(diff.replace('`', '\''), 1500) + "```");
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", parts));
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
            cut |= Mrkdwn.wouldCut(value, MAX_PARAM_CHARS - 2) || Mrkdwn.wouldCut(param.getKey(), 58);
            // Keys and values in code spans: nothing in them formats or reads as the gateway's own line.
            text.append("\n• ")
                    .append(Mrkdwn.code(param.getKey(), 60))
                    .append(": ")
                    .append(Mrkdwn.code(value, MAX_PARAM_CHARS));
            shown++;
        }
        if (cut) {
            text.append("\n_Cut short; <").append(console).append("|all params in the console>_");
        }
        return Optional.of(text.toString());
    }

    private static Optional<String> votes(ApprovalRequest request, String console) {
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
                        .append(Mrkdwn.plain(requirement.rule(), 200));
            }
        }
        List<Vote> votes = request.votes();
        for (int i = 0; i < votes.size(); i++) {
            Vote vote = votes.get(i);
            String line = "\n• " + Mrkdwn.agent(vote.voter(), NAME)
                    + (vote.choice() == Vote.Choice.APPROVE ? " approved" : " denied")
                    + " via " + Mrkdwn.agent(vote.channel(), 40) + ", " + slackDate(vote.time())
                    + vote.comment()
                            .map(comment -> ": “" + Mrkdwn.agent(comment, 300) + "”")
                            .orElse("");
            if (text.length() + line.length() > BlockKitLimits.SECTION_TEXT - LINK_ROOM) {
                text.append("\n_…and ")
                        .append(votes.size() - i)
                        .append(" more; <")
                        .append(console)
                        .append("|all votes in the console>_");
                break;
            }
            text.append(line);
        }
        return Optional.of(text.toString());
    }

    private static Optional<String> outcome(ApprovalRequest request) {
        if (request.isPending()) {
            return Optional.empty();
        }
        String by = Mrkdwn.agent(request.decidedBy().map(ApprovalMessage::who).orElse("?"), NAME);
        String when = request.decidedAt().map(ApprovalMessage::slackDate).orElse("");
        String decided =
                switch (request.status()) {
                    case APPROVED, EXECUTED, FAILED ->
                        "*Approved* by " + by + " " + when
                                + request.breakGlass()
                                        .map(glass -> " (break-glass: " + Mrkdwn.agent(glass.reason(), 300) + ")")
                                        .orElse("");
                    case DENIED -> "*Denied* by " + by + " " + when + denialComment(request);
                    case EXPIRED -> "*Expired* " + when + ": nobody decided in time";
                    case CANCELLED -> "*Cancelled* by " + by + " " + when;
                    case PENDING -> throw new IllegalStateException("request " + request.id() + " is pending");
                };
        if (request.execution().isPresent()) {
            Execution execution = request.execution().get();
            decided += "\n*Execution " + execution.outcome().wireName() + "* " + slackDate(execution.time())
                    + execution
                            .detail()
                            .map(detail -> ": " + Mrkdwn.code(detail, 400))
                            .orElse("");
        }
        return Optional.of(decided
                + request.resolution().map(why -> "\n" + Mrkdwn.agent(why, 600)).orElse(""));
    }

    private static String denialComment(ApprovalRequest request) {
        return request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.DENY)
                .reduce((first, second) -> second)
                .flatMap(Vote::comment)
                .map(comment -> "\n>" + Mrkdwn.agent(comment, 800))
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

    /** Slack's mrkdwn control characters; what is left can't become a mention, a link or a command. */
    static String escape(String text) {
        return Mrkdwn.escape(text);
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
