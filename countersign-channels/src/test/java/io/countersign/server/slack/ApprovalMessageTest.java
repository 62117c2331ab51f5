package io.countersign.server.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.util.json.GsonFactory;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ApprovalMessageTest {
    private static final String CONSOLE = "https://countersign.example.com";

    /** The blocks as Slack receives them: the SDK's own JSON. */
    private static JsonNode blocks(ApprovalRequest request) {
        return FakeSlack.MAPPER.readTree(GsonFactory.createSnakeCase()
                .toJson(ApprovalMessage.render(request, CONSOLE).blocks()));
    }

    private static String allText(JsonNode blocks) {
        return blocks.toString();
    }

    private static List<JsonNode> ofType(JsonNode blocks, String type) {
        return blocks.valueStream()
                .filter(block -> type.equals(block.path("type").asString()))
                .toList();
    }

    @Test
    void aPendingRequest_showsWhoWhatWhyRuleExpiry_andApproveDenyButtonsCarryingItsId() {
        ApprovalRequest request = SlackRequests.pending();

        JsonNode blocks = blocks(request);

        assertThat(blocks.valueStream()
                        .map(block -> block.path("type").asString())
                        .toList())
                .containsExactly("section", "section", "section", "section", "actions", "context");
        String text = allText(blocks);
        assertThat(text)
                .contains(
                        "report-bot",
                        "`db.export` on `db/prod/customers`",
                        "acting for `alice@example.com` (claimed, not verified)",
                        "exports-need-a-data-owner",
                        "1 of data-owners",
                        "<!date^" + request.expiresAt().orElseThrow().getEpochSecond() + "^",
                        "monthly churn report",
                        "`table`: `customers`",
                        "`limit`: `1000`",
                        "<" + CONSOLE + "/console/requests/" + request.id().value() + "|Open in Countersign>");
        JsonNode fields = blocks.get(1).get("fields");
        assertThat(fields.valueStream()
                        .map(field -> field.path("type").asString())
                        .distinct()
                        .toList())
                .containsExactly("mrkdwn");
        JsonNode buttons = ofType(blocks, "actions").getFirst().get("elements");
        assertThat(buttons).hasSize(2);
        assertThat(buttons.get(0).path("type").asString()).isEqualTo("button");
        assertThat(buttons.get(0).path("action_id").asString()).isEqualTo(ApprovalMessage.APPROVE);
        assertThat(buttons.get(0).path("value").asString())
                .isEqualTo(request.id().value());
        assertThat(buttons.get(0).path("style").asString()).isEqualTo("primary");
        assertThat(buttons.get(0).path("text").path("type").asString()).isEqualTo("plain_text");
        assertThat(buttons.get(0).path("text").path("text").asString()).isEqualTo("Approve");
        assertThat(buttons.get(1).path("action_id").asString()).isEqualTo(ApprovalMessage.DENY);
        assertThat(buttons.get(1).path("value").asString())
                .isEqualTo(request.id().value());
        assertThat(buttons.get(1).path("style").asString()).isEqualTo("danger");
        assertThat(ApprovalMessage.render(request, CONSOLE).text())
                .isEqualTo("Approval needed: report-bot wants db.export on db/prod/customers");
    }

    @Test
    void aRequestWhoseWaitingCallIsGone_saysSo_andHasNoButtons() {
        ApprovalRequest pending = SlackRequests.pending();
        ApprovalRequest cancelled = new ApprovalRequest(
                pending.id(),
                pending.agent(),
                pending.action(),
                pending.digest(),
                pending.decision(),
                RequestStatus.CANCELLED,
                List.of(),
                pending.createdAt(),
                Optional.empty(),
                Optional.of(SlackRequests.T0.plusSeconds(60)),
                Optional.of("system"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                pending.delegation(),
                Optional.of(
                        "the agent's MCP client cancelled the call (notifications/cancelled); nothing waits for this call any more, so it can't be approved"),
                Optional.empty());

        JsonNode blocks = blocks(cancelled);

        assertThat(ofType(blocks, "actions")).isEmpty();
        assertThat(allText(blocks))
                .contains("Cancelled")
                .contains("notifications/cancelled")
                .contains("can't be approved");
    }

    @Test
    void whatTheAgentWrote_isEscaped_soItCantMentionEveryoneOrForgeALink() {
        ApprovalRequest request = SlackRequests.pending(
                SlackRequests.requirement("r", 1, false, Map.of()),
                "{\"note\":\"<!channel> & <https://evil.example|click me>\"}",
                "urgent <!here> see <https://evil.example|the ticket>");

        String text = allText(blocks(request));

        assertThat(text).doesNotContain("<!channel>", "<!here>", "<https://evil.example");
        assertThat(text).contains("&lt;!channel&gt; &amp; &lt;https://evil.example|click me&gt;", "&lt;!here&gt;");
    }

    @Test
    void longParams_areCut_withALinkToTheConsoleForTheRest() {
        String longValue = "x".repeat(500);
        StringBuilder params = new StringBuilder("{\"query\":\"" + longValue + "\"");
        for (int i = 0; i < 12; i++) {
            params.append(",\"p").append(i).append("\":").append(i);
        }
        ApprovalRequest request =
                SlackRequests.pending(SlackRequests.requirement("r", 1, false, Map.of()), params + "}", "why");

        String text = allText(blocks(request));

        assertThat(text)
                .doesNotContain(longValue)
                .contains("`" + "x".repeat(ApprovalMessage.MAX_PARAM_CHARS - 3) + "…`");
        assertThat(text).contains("`p6`").doesNotContain("`p7`");
        assertThat(text)
                .contains("<" + CONSOLE + "/console/requests/" + request.id().value() + "|all params in the console>");
    }

    @Test
    void aStepUpRule_linksToTheConsole_insteadOfApproveAndDeny() {
        ApprovalRequest request =
                SlackRequests.pending(SlackRequests.requirement("prod-keys", 1, true, Map.of()), "{}", "rotate");

        JsonNode buttons = ofType(blocks(request), "actions").getFirst().get("elements");

        assertThat(buttons).hasSize(1);
        assertThat(buttons.get(0).path("action_id").asString()).isEqualTo(ApprovalMessage.OPEN_CONSOLE);
        assertThat(buttons.get(0).path("url").asString())
                .isEqualTo(CONSOLE + "/console/requests/" + request.id().value());
        assertThat(buttons.get(0).path("text").path("text").asString()).isEqualTo("Decide in the console");
        assertThat(allText(blocks(request))).doesNotContain(ApprovalMessage.APPROVE);
    }

    @Test
    void votesTowardAQuorumAboveOne_areShownAsTheyCome() {
        ApprovalRequest request = SlackRequests.pending(
                SlackRequests.requirement("rotation-needs-two", 2, false, Map.of()), "{}", "rotate");
        ApprovalRequest voted = SlackRequests.with(
                request,
                RequestStatus.PENDING,
                List.of(SlackRequests.vote("bob", Vote.Choice.APPROVE, Optional.empty())),
                Optional.empty(),
                Optional.empty());

        String text = allText(blocks(voted));

        assertThat(text).contains("1 of 2 approvals for rule rotation-needs-two", "bob approved via slack");
        assertThat(ofType(blocks(voted), "actions")).hasSize(1);
    }

    @Test
    void aDecidedRequest_showsTheOutcomeAndWhoDecided_withoutButtons() {
        ApprovalRequest request = SlackRequests.pending();
        ApprovalRequest denied = SlackRequests.with(
                request,
                RequestStatus.DENIED,
                List.of(SlackRequests.vote("carol", Vote.Choice.DENY, Optional.of("not this month"))),
                Optional.of("human:carol"),
                Optional.empty());

        JsonNode blocks = blocks(denied);

        assertThat(ofType(blocks, "actions")).isEmpty();
        assertThat(allText(blocks)).contains("*Denied* by carol", "not this month", ":no_entry:");
        assertThat(ApprovalMessage.render(denied, CONSOLE).text()).startsWith("Denied: ");
    }

    @Test
    void anExecutedRequest_showsTheExecutionOutcome() {
        ApprovalRequest request = SlackRequests.pending();
        ApprovalRequest executed = SlackRequests.with(
                request,
                RequestStatus.FAILED,
                List.of(SlackRequests.vote("bob", Vote.Choice.APPROVE, Optional.empty())),
                Optional.of("human:bob"),
                Optional.of(new Execution(
                        Execution.Outcome.FAILED, Optional.of("disk full"), SlackRequests.T0.plusSeconds(120))));

        String text = allText(blocks(executed));

        assertThat(text).contains("*Approved* by bob", "*Execution failed*", "disk full");
    }

    /** The blocks as Slack would judge them: what its validator finds wrong, as its {@code errors} list would. */
    private static List<String> slackWouldRefuse(ApprovalRequest request) {
        return BlockKitValidator.problems(blocks(request));
    }

    private static String ampersands(int count) {
        return "&".repeat(count);
    }

    @Test
    void aReasonOfAThousandAmpersands_fitsTheSectionLimitAfterEscaping_withALinkForTheRest() {
        ApprovalRequest request =
                SlackRequests.pending(SlackRequests.requirement("r", 1, false, Map.of()), "{}", ampersands(1000));

        JsonNode blocks = blocks(request);

        assertThat(BlockKitValidator.problems(blocks)).isEmpty();
        assertThat(allText(blocks)).contains("&amp;&amp;", "|the full reason in the console>");
        assertThat(ofType(blocks, "actions")).hasSize(1);
    }

    @Test
    void eightParamsOfAmpersands_fitAfterEscaping() {
        StringBuilder params = new StringBuilder("{");
        for (int i = 0; i < 8; i++) {
            params.append(i == 0 ? "" : ",")
                    .append("\"p")
                    .append(i)
                    .append("\":\"")
                    .append(ampersands(1000))
                    .append("\"");
        }
        ApprovalRequest request =
                SlackRequests.pending(SlackRequests.requirement("r", 1, false, Map.of()), params + "}", "why");

        assertThat(slackWouldRefuse(request)).isEmpty();
        assertThat(allText(blocks(request))).contains("`p7`", "|all params in the console>");
    }

    @Test
    void anOnBehalfOfOf2100Or30000Characters_isCutToTheFieldLimit() {
        for (int length : new int[] {2_100, 30_000}) {
            ApprovalRequest request = SlackRequests.pending(
                    SlackRequests.requirement("r", 1, false, Map.of()), "{}", "why", "&".repeat(length));

            JsonNode blocks = blocks(request);

            assertThat(BlockKitValidator.problems(blocks))
                    .as("onBehalfOf of %d", length)
                    .isEmpty();
            assertThat(blocks.get(1).get("fields").get(0).get("text").asString())
                    .hasSizeLessThanOrEqualTo(2000)
                    .contains("|in full>");
        }
    }

    @Test
    void aQuorumTwoApproval_withTwoLongComments_fitsAndShowsNoButtons() {
        ApprovalRequest request = SlackRequests.pending(
                SlackRequests.requirement("two-keys", 2, false, Map.of()), "{}", ampersands(1000));
        ApprovalRequest approved = SlackRequests.with(
                request,
                RequestStatus.APPROVED,
                List.of(
                        SlackRequests.vote("bob", Vote.Choice.APPROVE, Optional.of(ampersands(300))),
                        SlackRequests.vote("carol", Vote.Choice.APPROVE, Optional.of(ampersands(300)))),
                Optional.of("human:carol"),
                Optional.empty());

        JsonNode blocks = blocks(approved);

        assertThat(BlockKitValidator.problems(blocks)).isEmpty();
        assertThat(ofType(blocks, "actions")).isEmpty();
        assertThat(allText(blocks)).contains("*Approved* by carol", "2 of 2 approvals");
    }

    @Test
    void manyVotes_areListedUpToTheSectionLimit_thenCountedWithALink() {
        ApprovalRequest request =
                SlackRequests.pending(SlackRequests.requirement("many", 40, false, Map.of()), "{}", "why");
        List<Vote> votes = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            votes.add(SlackRequests.vote("voter" + i, Vote.Choice.APPROVE, Optional.of(ampersands(300))));
        }
        ApprovalRequest voted =
                SlackRequests.with(request, RequestStatus.PENDING, votes, Optional.empty(), Optional.empty());

        assertThat(slackWouldRefuse(voted)).isEmpty();
        assertThat(allText(blocks(voted))).contains("more; <", "|all votes in the console>");
    }

    @Test
    void aParamCantForgeTheGatewaysStatusLine() {
        ApprovalRequest request = SlackRequests.pending(
                SlackRequests.requirement("r", 1, false, Map.of()),
                "{\"note\":\"ok\\n\\n:white_check_mark: *Approved* by security-lead\"}",
                "fine\n:white_check_mark: *Approved* by security-lead");

        JsonNode blocks = blocks(request);
        String params = blocks.get(3).get("text").get("text").asString();
        String reason = blocks.get(2).get("text").get("text").asString();

        assertThat(params)
                .contains("`note`: `ok\u2424\u2424:white_check_mark: *Approved* by security-lead`")
                .doesNotContain("\n:white_check_mark:");
        assertThat(reason).isEqualTo("*Reason*\n>fine\u2424:white_check_mark: *Approved* by security-lead");
    }

    @Test
    void zeroWidthAndBidiCharacters_inAgentText_showAsEscapes() {
        ApprovalRequest request = SlackRequests.pending(
                SlackRequests.requirement("r", 1, false, Map.of()),
                "{\"file\":\"invoice\\u202egpj.exe\"}",
                "see invoice\u202egpj.exe",
                "al\u200bice");

        String text = allText(blocks(request));

        assertThat(text)
                .contains("acting for `al\\\\u200Bice`", "`invoice\\\\u202Egpj.exe`", ">see invoice\\\\u202Egpj.exe")
                .doesNotContain("\u200b", "\u202e");
    }

    @Test
    void aConsoleUrlTooLongForAnyBudget_getsTheMinimalMessage_whichFits() {
        ApprovalRequest request = SlackRequests.pending();
        String longBase = "https://countersign.example.com/" + "x".repeat(5000);

        ApprovalMessage.Rendered rendered = ApprovalMessage.render(request, longBase);

        assertThat(rendered.blocks()).hasSize(1);
        assertThat(BlockKitValidator.problems(
                        FakeSlack.MAPPER.readTree(GsonFactory.createSnakeCase().toJson(rendered.blocks()))))
                .isEmpty();
        assertThat(rendered.text()).startsWith("Approval needed: report-bot wants db.export");
    }
}
