package io.countersign.server.teams;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The card's shape against the Adaptive Card 1.5 schema and what it must and must not offer. */
class ApprovalCardTest {
    private static final Instant NOW = Instant.parse("2026-11-24T05:00:00Z");
    private final ApprovalCard cards = new ApprovalCard(
            FakeTeams.MAPPER,
            request -> "https://countersign.example.com/console/requests/"
                    + request.id().value());

    /** The documented skeleton: type, version 1.5, $schema, a body of known elements, actions of known types. */
    static void assertAdaptiveCard15(JsonNode card) {
        assertThat(card.path("type").asString()).isEqualTo("AdaptiveCard");
        assertThat(card.path("version").asString()).isEqualTo("1.5");
        assertThat(card.path("$schema").asString()).isEqualTo("http://adaptivecards.io/schemas/adaptive-card.json");
        assertThat(card.path("body").isArray()).isTrue();
        for (JsonNode element : card.path("body")) {
            assertThat(element.path("type").asString()).isIn("TextBlock", "FactSet", "RichTextBlock", "Input.Text");
            switch (element.path("type").asString()) {
                case "TextBlock" -> assertThat(element.path("text").isString()).isTrue();
                case "FactSet" ->
                    element.path("facts").forEach(fact -> {
                        assertThat(fact.path("title").isString()).isTrue();
                        assertThat(fact.path("value").isString()).isTrue();
                    });
                case "RichTextBlock" ->
                    element.path("inlines")
                            .forEach(run ->
                                    assertThat(run.path("type").asString()).isEqualTo("TextRun"));
                default -> assertThat(element.path("id").asString()).isNotEmpty();
            }
        }
        for (JsonNode action : card.path("actions")) {
            assertThat(action.path("type").asString()).isIn("Action.Execute", "Action.OpenUrl");
            assertThat(action.path("title").asString()).isNotEmpty();
            if (action.path("type").asString().equals("Action.Execute")) {
                assertThat(action.path("verb").asString()).isIn("approve", "deny");
                assertThat(action.path("data").path("requestId").asString()).startsWith("req_");
            } else {
                assertThat(action.path("url").asString()).contains("/console/requests/req_");
            }
        }
    }

    static List<String> actionTypes(JsonNode card) {
        List<String> types = new ArrayList<>();
        card.path("actions").forEach(action -> types.add(action.path("type").asString()));
        return types;
    }

    static ApprovalRequest pending(Action action, boolean stepUp) {
        Decision decision = new Decision(
                Effect.REQUIRE_APPROVAL,
                List.of("exports-need-a-data-owner"),
                "needs a data owner",
                "v1",
                List.of(new ApprovalRequirement(
                        "exports-need-a-data-owner", Set.of("data-owners"), 1, Duration.ofMinutes(30), stepUp)));
        return new ApprovalRequest(
                RequestId.random(),
                Agent.named("reporter"),
                action,
                action.digest(),
                decision,
                RequestStatus.PENDING,
                List.of(),
                NOW,
                Optional.of(NOW.plus(Duration.ofMinutes(30))),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Delegation.claimedOrNone(action.onBehalfOf().isPresent()),
                Optional.empty(),
                Optional.empty());
    }

    static Action export(String reason) {
        ObjectNode params = Action.noParams();
        params.put("format", "csv");
        params.put("query", "select * from customers where " + "x".repeat(500));
        return new Action("db.export", "db/prod/customers", params, reason, Optional.of("carol@example.com"));
    }

    @Test
    void aPendingRequest_showsWhoWhatWhyTheRuleAndExpiry_withApproveAndDenyThatNeedsAComment() {
        ApprovalRequest request = pending(export("monthly churn report"), false);

        ObjectNode card = cards.render(request, ApprovalCard.Mode.INTERACTIVE);

        assertAdaptiveCard15(card);
        String text = card.toString();
        assertThat(text)
                .contains(
                        "reporter",
                        "db.export",
                        "db/prod/customers",
                        "monthly churn report",
                        "exports-need-a-data-owner",
                        "2026-11-24 05:30 UTC",
                        "carol@example.com (claimed)",
                        "0 of 1 approval from data-owners");
        assertThat(actionTypes(card)).containsExactly("Action.Execute", "Action.Execute", "Action.OpenUrl");
        JsonNode approve = card.path("actions").get(0);
        JsonNode deny = card.path("actions").get(1);
        assertThat(approve.path("verb").asString()).isEqualTo("approve");
        assertThat(approve.path("data").path("requestId").asString())
                .isEqualTo(request.id().value());
        assertThat(approve.path("associatedInputs").asString()).isEqualTo("auto");
        assertThat(deny.path("verb").asString()).isEqualTo("deny");
        assertThat(deny.path("associatedInputs").asString()).isEqualTo("auto");
        JsonNode input = card.path("body")
                .valueStream()
                .filter(element -> element.path("type").asString().equals("Input.Text"))
                .findFirst()
                .orElseThrow();
        assertThat(input.path("id").asString()).isEqualTo("comment");
        assertThat(card.path("actions").get(2).path("url").asString())
                .isEqualTo("https://countersign.example.com/console/requests/"
                        + request.id().value());
    }

    @Test
    void aRequestWhoseWaitingCallIsGone_saysSo_andOffersNoApproval() {
        ApprovalRequest pending = pending(export("write the report"), false);
        ApprovalRequest cancelled = new ApprovalRequest(
                pending.id(),
                pending.agent(),
                pending.action(),
                pending.digest(),
                pending.decision(),
                RequestStatus.CANCELLED,
                List.of(),
                NOW,
                Optional.empty(),
                Optional.of(NOW.plusSeconds(60)),
                Optional.of("system"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                pending.delegation(),
                Optional.of(
                        "the agent's MCP client cancelled the call (notifications/cancelled); nothing waits for this call any more, so it can't be approved"),
                Optional.empty());

        ObjectNode card = cards.render(cancelled, ApprovalCard.Mode.INTERACTIVE);

        assertAdaptiveCard15(card);
        assertThat(card.toString())
                .contains("Cancelled")
                .contains("notifications/cancelled")
                .contains("can't be approved");
        assertThat(actionTypes(card)).doesNotContain("Action.Execute");
    }

    @Test
    void longValues_areCutWithAPointerToTheConsole() {
        ObjectNode card = cards.render(pending(export("r".repeat(1000)), false), ApprovalCard.Mode.INTERACTIVE);

        String text = card.toString();
        assertThat(text)
                .doesNotContain("x".repeat(ApprovalCard.MAX_VALUE_CHARS + 1))
                .doesNotContain("r".repeat(ApprovalCard.MAX_VALUE_CHARS + 1));
        assertThat(text).contains("(cut; 1000 characters in all, see the console)");
    }

    @Test
    void whatTheAgentWrote_isPlainTextRuns_neverMarkdown() {
        String reason = "urgent: [Approve here](https://evil.example/approve) **now**";

        ObjectNode card = cards.render(pending(export(reason), false), ApprovalCard.Mode.INTERACTIVE);

        for (JsonNode element : card.path("body")) {
            if (element.path("type").asString().equals("TextBlock")) {
                assertThat(element.path("text").asString()).doesNotContain("evil.example");
            }
            element.path("facts")
                    .forEach(fact -> assertThat(fact.path("value").asString()).doesNotContain("evil.example"));
        }
        assertThat(card.toString()).contains("evil.example");
    }

    @Test
    void aStepUpRule_getsNoButtons_onlyTheConsoleLink() {
        ObjectNode card = cards.render(pending(export("deploy"), true), ApprovalCard.Mode.INTERACTIVE);

        assertAdaptiveCard15(card);
        assertThat(actionTypes(card)).containsExactly("Action.OpenUrl");
        assertThat(card.path("actions").get(0).path("title").asString()).contains("fresh sign-in");
        assertThat(card.toString()).doesNotContain("Input.Text");
    }

    @Test
    void aLinkOnlyCard_hasNoButtonsAndNoInput() {
        ObjectNode card = cards.render(pending(export("report"), false), ApprovalCard.Mode.LINK_ONLY);

        assertThat(actionTypes(card)).containsExactly("Action.OpenUrl");
        assertThat(card.path("actions").get(0).path("title").asString()).isEqualTo("Open in Countersign");
        assertThat(card.toString()).doesNotContain("Input.Text");
    }

    @Test
    void aNotice_isShownAtTheTopInTheAttentionColour() {
        ObjectNode card = cards.render(
                pending(export("report"), false), ApprovalCard.Mode.INTERACTIVE, Optional.of("you may not vote"));

        JsonNode notice = card.path("body").get(1);
        assertThat(notice.path("type").asString()).isEqualTo("RichTextBlock");
        assertThat(notice.toString()).contains("Not recorded: ", "you may not vote", "Attention");
    }
}
