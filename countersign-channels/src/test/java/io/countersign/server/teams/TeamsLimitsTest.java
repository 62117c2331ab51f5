package io.countersign.server.teams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.outbox.NotificationType;
import io.countersign.server.channels.DeliveryFailure;
import io.countersign.server.channels.Notification;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Teams cards against the fake's documented limits (Workflows 28 KB, 413; 429 with Retry-After) and its markdown. */
class TeamsLimitsTest {
    private final FakeTeams teams = new FakeTeams();
    private final ApprovalCard cards = new ApprovalCard(
            FakeTeams.MAPPER,
            request -> "https://cs.example.com/console/requests/" + request.id().value());
    private final TeamsWorkflowChannel workflow =
            new TeamsWorkflowChannel(teams.workflowUrl(), HttpClient.newHttpClient(), cards, FakeTeams.MAPPER);

    @AfterEach
    void stop() {
        teams.close();
    }

    private static Notification created(ApprovalRequest request) {
        return new Notification(
                1,
                NotificationType.REQUEST_CREATED,
                Optional.of(request),
                FakeTeams.MAPPER.createObjectNode(),
                Instant.now(),
                1,
                Optional.empty());
    }

    private static Action action(String name, String reason, String onBehalfOf, ObjectNode params) {
        return new Action(name, "db/prod/customers", params, reason, Optional.of(onBehalfOf));
    }

    @Test
    void anOnBehalfOfOf30000Characters_staysUnderWorkflows28KB() throws Exception {
        ApprovalRequest request =
                ApprovalCardTest.pending(action("db.export", "why", "a".repeat(30_000), Action.noParams()), false);

        workflow.deliver(created(request));

        FakeTeams.Call post = teams.workflowPosts().getFirst();
        assertThat(post.body().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(28 * 1024);
        assertThat(post.body()).contains("(cut; 30000 characters in all, see the console)");
    }

    @Test
    void aCardOverTheLimitWhateverItsParts_isSentAsTheMinimalCard_whichFits() throws Exception {
        String wide = "日".repeat(3000);
        ObjectNode params = Action.noParams();
        for (int i = 0; i < 8; i++) {
            params.put(wide + i, wide);
        }
        ApprovalRequest pending = ApprovalCardTest.pending(action("db.export", wide, wide, params), false);
        List<Vote> votes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            votes.add(new Vote(
                    wide + i,
                    "v" + i + "@example.com",
                    Set.of("data-owners"),
                    Vote.Choice.APPROVE,
                    Optional.of(wide),
                    Instant.now(),
                    "teams"));
        }
        ApprovalRequest voted = new ApprovalRequest(
                pending.id(),
                pending.agent(),
                pending.action(),
                pending.digest(),
                pending.decision(),
                RequestStatus.DENIED,
                votes,
                pending.createdAt(),
                Optional.empty(),
                Optional.of(Instant.now()),
                Optional.of("human:" + wide),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                pending.delegation(),
                Optional.of(wide),
                Optional.empty());
        assertThat(TeamsLimits.bytes(FakeTeams.MAPPER, cards.render(voted, ApprovalCard.Mode.LINK_ONLY)))
                .as("the full card alone is over the limit")
                .isGreaterThan(28 * 1024);

        workflow.deliver(created(voted));

        String body = teams.workflowPosts().getFirst().body();
        assertThat(body.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(28 * 1024);
        assertThat(body)
                .contains(
                        "The full card is too large for Teams",
                        "/console/requests/" + voted.id().value());
    }

    @Test
    void aRateLimit_isReportedWithItsRetryAfter_andATooLargePostIsPermanent() {
        teams.rateLimitWorkflows(1);

        assertThatThrownBy(() ->
                        workflow.deliver(created(ApprovalCardTest.pending(ApprovalCardTest.export("why"), false))))
                .isInstanceOfSatisfying(DeliveryFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(DeliveryFailure.Kind.RATE_LIMITED);
                    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(90));
                    assertThat(failure.getMessage())
                            .contains("429", "TooManyRequests")
                            .doesNotContain("workflow-secret");
                });
        assertThat(TeamsLimits.kindOf(413)).isEqualTo(DeliveryFailure.Kind.PERMANENT);
        assertThat(TeamsLimits.kindOf(400)).isEqualTo(DeliveryFailure.Kind.PERMANENT);
        assertThat(TeamsLimits.kindOf(503)).isEqualTo(DeliveryFailure.Kind.TEMPORARY);
    }

    @Test
    void titlesAndFactsEscapeMarkdown_andAgentTextShowsInvisibleAndBidiCharacters() {
        ObjectNode params = Action.noParams();
        params.put("note", "ok\n\nApproved by security-lead");
        ApprovalRequest request = ApprovalCardTest.pending(
                action("ops.__all__", "see invoice\u202egpj.exe", "al\u200bice", params), false);

        ObjectNode card = cards.render(request, ApprovalCard.Mode.INTERACTIVE);

        JsonNode body = card.path("body");
        assertThat(body.get(0).path("text").asString()).isEqualTo("Approval needed: ops.\\_\\_all\\_\\_");
        JsonNode facts = body.valueStream()
                .filter(element -> element.path("type").asString().equals("FactSet"))
                .findFirst()
                .orElseThrow()
                .path("facts");
        assertThat(facts.valueStream().map(fact -> fact.path("value").asString()))
                .contains("ops.\\_\\_all\\_\\_");
        String text = card.toString();
        assertThat(text)
                .contains("al\\\\u200Bice", "invoice\\\\u202Egpj.exe", "ok\u2424\u2424Approved by security-lead")
                .doesNotContain("\u200b", "\u202e");
    }
}
