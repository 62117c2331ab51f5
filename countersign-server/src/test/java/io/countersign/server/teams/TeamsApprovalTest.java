package io.countersign.server.teams;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The Teams flows through a real gateway and a fake Microsoft (token endpoint, OpenID metadata,
 * JWKS, Bot Connector): a click on the card votes by the same rule as the API, a bad token changes
 * nothing, and a decision made anywhere updates the card.
 */
class TeamsApprovalTest {
    private static final String ALICE_ID = "29:1alice";
    private static final String ALICE_AAD = "aad-0000-alice";
    private static final String BOB_ID = "29:1bob";
    private static final String BOB_AAD = "aad-0000-bob";

    @TempDir
    Path directory;

    private FakeTeams teams;
    private TeamsTestGateway gateway;
    private String agent;
    private String alice;

    @BeforeEach
    void start() {
        teams = new FakeTeams();
        teams.member(ALICE_ID, ALICE_AAD, "alice@example.com");
        // Bob's UPN is not his gateway email: teams.users maps his AAD object id.
        gateway = new TeamsTestGateway(
                directory,
                new TeamsConfig(
                        Optional.of(teams.bot(Map.of(BOB_AAD.toUpperCase(), "robert@example.com"))),
                        Optional.empty(),
                        Optional.empty()));
        agent = gateway.agent("reporter");
        alice = gateway.human("alice", "alice@example.com", "data-owners");
        gateway.human("bob", "robert@example.com", "data-owners");
    }

    @AfterEach
    void stop() {
        gateway.close();
        teams.close();
    }

    private String pendingExport(Optional<String> onBehalfOf) {
        JsonNode answer =
                gateway.submit(agent, "db.export", "db/prod/customers", "monthly churn report for finance", onBehalfOf);
        assertThat(answer.path("status").asString()).isEqualTo("pending");
        return answer.path("id").asString();
    }

    @Test
    void approveClickedInTeams_approvesTheRequest_andAnswersWithTheUpdatedCard() throws Exception {
        String id = pendingExport(Optional.empty());

        HttpResponse<String> response = gateway.teams(
                "Bearer " + teams.token(), teams.invoke("approve", id, "looks fine", ALICE_ID, ALICE_AAD));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = FakeTeams.MAPPER.readTree(response.body());
        assertThat(answer.path("statusCode").asInt()).isEqualTo(200);
        assertThat(answer.path("type").asString()).isEqualTo("application/vnd.microsoft.card.adaptive");
        JsonNode card = answer.path("value");
        ApprovalCardTest.assertAdaptiveCard15(card);
        assertThat(card.toString()).contains("Approved by human:alice").contains("looks fine");
        assertThat(ApprovalCardTest.actionTypes(card)).containsExactly("Action.OpenUrl");
        JsonNode request = gateway.request(id, alice);
        assertThat(request.path("status").asString()).isEqualTo("approved");
        assertThat(request.path("votes").get(0).path("channel").asString()).isEqualTo("teams");
        assertThat(request.path("votes").get(0).path("comment").asString()).isEqualTo("looks fine");
        FakeTeams.await("the posted card to show the decision for everyone", () -> teams.updated().stream()
                .anyMatch(update -> update.body().contains("Approved by human:alice")));
    }

    @Test
    void senderWhoseUpnIsNotTheirEmail_isFoundThroughTeamsUsers() {
        String id = pendingExport(Optional.empty());

        HttpResponse<String> response =
                gateway.teams("Bearer " + teams.token(), teams.invoke("approve", id, null, BOB_ID, BOB_AAD));

        assertThat(FakeTeams.MAPPER.readTree(response.body()).path("value").toString())
                .contains("Approved by human:bob");
        assertThat(gateway.request(id, alice).path("status").asString()).isEqualTo("approved");
    }

    @Test
    void theOnBehalfOfHuman_isRefusedWithTheReasonOnTheCard_andNothingChanges() {
        String id = pendingExport(Optional.of("alice@example.com"));

        HttpResponse<String> response =
                gateway.teams("Bearer " + teams.token(), teams.invoke("approve", id, null, ALICE_ID, ALICE_AAD));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode card = FakeTeams.MAPPER.readTree(response.body()).path("value");
        assertThat(card.toString()).contains("Not recorded: ").contains("on behalf of");
        assertThat(ApprovalCardTest.actionTypes(card)).contains("Action.Execute");
        JsonNode request = gateway.request(id, alice);
        assertThat(request.path("status").asString()).isEqualTo("pending");
        assertThat(request.path("votes")).isEmpty();
    }

    static java.util.List<io.countersign.identity.ConfusableSpellings.Spelling> spellingsAcceptedAtSubmission() {
        return io.countersign.identity.ConfusableSpellings.all().stream()
                .filter(s -> s.refusedAt() == io.countersign.identity.ConfusableSpellings.RefusedAt.VOTE)
                .toList();
    }

    /** Teams asks the one vote rule: under every spelling the API accepts, alice's click is refused as it is there. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("spellingsAcceptedAtSubmission")
    void refusesApprovalInTeamsByTheHumanTheAgentActsForUnderAConfusableSpelling(
            io.countersign.identity.ConfusableSpellings.Spelling spelling) {
        String id = pendingExport(Optional.of(spelling.value()));

        HttpResponse<String> response =
                gateway.teams("Bearer " + teams.token(), teams.invoke("approve", id, null, ALICE_ID, ALICE_AAD));

        assertThat(FakeTeams.MAPPER.readTree(response.body()).path("value").toString())
                .contains("Not recorded: ")
                .contains("alice is the human this request acts on behalf of");
        assertThat(gateway.request(id, alice).path("votes")).isEmpty();
    }

    @Test
    void aTeamsUserWhoIsNoHumanOfTheGateway_isRefused() {
        String id = pendingExport(Optional.empty());
        teams.member("29:1mallory", "aad-0000-mallory", "mallory@elsewhere.example");

        HttpResponse<String> response = gateway.teams(
                "Bearer " + teams.token(), teams.invoke("approve", id, null, "29:1mallory", "aad-0000-mallory"));

        assertThat(FakeTeams.MAPPER.readTree(response.body()).path("value").toString())
                .contains("Not recorded: ")
                .contains("mallory@elsewhere.example");
        assertThat(gateway.request(id, alice).path("status").asString()).isEqualTo("pending");
    }

    @Test
    void denyNeedsAComment_thenDenies() {
        String id = pendingExport(Optional.empty());

        HttpResponse<String> bare =
                gateway.teams("Bearer " + teams.token(), teams.invoke("deny", id, "  ", ALICE_ID, ALICE_AAD));
        assertThat(FakeTeams.MAPPER.readTree(bare.body()).path("value").toString())
                .contains("Not recorded: ")
                .contains("comment");
        assertThat(gateway.request(id, alice).path("status").asString()).isEqualTo("pending");

        HttpResponse<String> explained = gateway.teams(
                "Bearer " + teams.token(), teams.invoke("deny", id, "not this month", ALICE_ID, ALICE_AAD));
        assertThat(FakeTeams.MAPPER.readTree(explained.body()).path("value").toString())
                .contains("Denied by human:alice");
        assertThat(gateway.request(id, alice).path("status").asString()).isEqualTo("denied");
    }

    @Test
    void anInvokeWithABadToken_gets401_andChangesNothing() {
        String id = pendingExport(Optional.empty());
        String click = teams.invoke("approve", id, null, ALICE_ID, ALICE_AAD);
        Instant now = Instant.now();
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("no header", null);
        bad.put("not a bearer token", "Basic " + teams.token());
        bad.put("wrong signature", "Bearer " + teams.forgedToken());
        bad.put(
                "wrong audience",
                "Bearer "
                        + teams.token(teams.validClaims()
                                .audience("someone-elses-bot")
                                .build()));
        bad.put(
                "wrong issuer",
                "Bearer "
                        + teams.token(teams.validClaims()
                                .issuer("https://evil.example")
                                .build()));
        bad.put(
                "expired",
                "Bearer "
                        + teams.token(teams.validClaims()
                                .expirationTime(Date.from(now.minusSeconds(600)))
                                .build()));
        bad.put(
                "not yet valid",
                "Bearer "
                        + teams.token(teams.validClaims()
                                .notBeforeTime(Date.from(now.plusSeconds(900)))
                                .build()));
        bad.put("alg none", "Bearer " + teams.unsignedToken());
        bad.put(
                "another connector",
                "Bearer "
                        + teams.token(teams.validClaims()
                                .claim("serviceurl", "https://smba.example/")
                                .build()));
        bad.put(
                "no serviceurl",
                "Bearer "
                        + teams.token(
                                new JWTClaimsSet.Builder(teams.validClaims().build())
                                        .claim("serviceurl", null)
                                        .build()));
        bad.put("garbage", "Bearer not-a-jwt");

        for (Map.Entry<String, String> entry : bad.entrySet()) {
            HttpResponse<String> response = gateway.teams(entry.getValue(), click);
            assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(401);
            assertThat(response.body()).as(entry.getKey()).doesNotContain("Approved");
        }
        JsonNode request = gateway.request(id, alice);
        assertThat(request.path("status").asString()).isEqualTo("pending");
        assertThat(request.path("votes")).isEmpty();
    }

    @Test
    void aStepUpRule_postsOnlyTheConsoleLink_andAClickInTeamsIsRefused() throws Exception {
        gateway.human("sam", "alice-sre@example.com", "sre");
        teams.member("29:1sam", "aad-0000-sam", "alice-sre@example.com");
        JsonNode answer = gateway.submit(
                agent, "deploy.production", "apps/billing", "hotfix for the invoice totals", Optional.empty());
        String id = answer.path("id").asString();

        FakeTeams.await("the card to be posted", () -> teams.posted().size() == 1);
        JsonNode card =
                teams.posted().getFirst().json().path("attachments").get(0).path("content");
        assertThat(ApprovalCardTest.actionTypes(card)).containsExactly("Action.OpenUrl");
        assertThat(card.path("actions").get(0).path("title").asString()).contains("fresh sign-in");

        // A stale card (or a hand-made invoke) still can't approve: the workflow wants a fresh sign-in.
        HttpResponse<String> response =
                gateway.teams("Bearer " + teams.token(), teams.invoke("approve", id, null, "29:1sam", "aad-0000-sam"));
        assertThat(FakeTeams.MAPPER.readTree(response.body()).path("value").toString())
                .contains("Not recorded: ")
                .contains("sign-in");
        assertThat(gateway.request(id, alice).path("status").asString()).isEqualTo("pending");
    }

    @Test
    void votesTowardAQuorum_areShownOnTheCardAsTheyCome() throws Exception {
        gateway.human("sec1", "sec1@example.com", "security");
        gateway.human("sec2", "sec2@example.com", "security");
        teams.member("29:1sec1", "aad-sec1", "sec1@example.com");
        teams.member("29:1sec2", "aad-sec2", "sec2@example.com");
        String id = gateway.submit(agent, "secrets.rotate", "vault/prod/db", "quarterly rotation", Optional.empty())
                .path("id")
                .asString();
        FakeTeams.await("the card to be posted", () -> teams.posted().size() == 1);

        HttpResponse<String> first =
                gateway.teams("Bearer " + teams.token(), teams.invoke("approve", id, null, "29:1sec1", "aad-sec1"));
        assertThat(FakeTeams.MAPPER.readTree(first.body()).path("value").toString())
                .contains("1 of 2 approvals from security")
                .contains("Approved by sec1");
        FakeTeams.await("the vote on the posted card", () -> teams.updated().stream()
                .anyMatch(update -> update.body().contains("1 of 2 approvals")));

        HttpResponse<String> second =
                gateway.teams("Bearer " + teams.token(), teams.invoke("approve", id, null, "29:1sec2", "aad-sec2"));
        assertThat(FakeTeams.MAPPER.readTree(second.body()).path("value").toString())
                .contains("Approved by human:sec2");
        assertThat(gateway.request(id, alice).path("status").asString()).isEqualTo("approved");
    }

    @Test
    void anInvokeThatIsNotOurs_getsTheUniversalActionsErrorResponse() {
        HttpResponse<String> unknownVerb = gateway.teams(
                "Bearer " + teams.token(),
                teams.invoke("escalate", "req_00000000000000000000000000", null, ALICE_ID, ALICE_AAD));
        JsonNode answer = FakeTeams.MAPPER.readTree(unknownVerb.body());
        assertThat(unknownVerb.statusCode()).isEqualTo(200);
        assertThat(answer.path("statusCode").asInt()).isEqualTo(400);
        assertThat(answer.path("type").asString()).isEqualTo("application/vnd.microsoft.error");
        assertThat(answer.path("value").path("message").asString()).contains("escalate");

        HttpResponse<String> unknownRequest = gateway.teams(
                "Bearer " + teams.token(),
                teams.invoke("approve", "req_00000000000000000000000000", null, ALICE_ID, ALICE_AAD));
        assertThat(FakeTeams.MAPPER
                        .readTree(unknownRequest.body())
                        .path("statusCode")
                        .asInt())
                .isEqualTo(404);
    }

    @Test
    void otherActivities_areAcknowledgedAndIgnored() {
        String message = "{\"type\":\"message\",\"text\":\"hi\",\"serviceUrl\":\"" + teams.serviceUrl() + "\"}";

        assertThat(gateway.teams("Bearer " + teams.token(), message).statusCode())
                .isEqualTo(200);
        assertThat(gateway.teams(null, message).statusCode()).isEqualTo(401);
    }

    @Test
    void aRequestIsPostedAsACard_andADecisionThroughTheApiUpdatesTheCard() throws Exception {
        String id = pendingExport(Optional.empty());

        FakeTeams.await("the card to be posted", () -> teams.posted().size() == 1);
        FakeTeams.Call post = teams.posted().getFirst();
        assertThat(post.authorization()).isEqualTo("Bearer connector-token-1");
        JsonNode activity = post.json();
        assertThat(activity.path("type").asString()).isEqualTo("message");
        JsonNode attachment = activity.path("attachments").get(0);
        assertThat(attachment.path("contentType").asString()).isEqualTo("application/vnd.microsoft.card.adaptive");
        ApprovalCardTest.assertAdaptiveCard15(attachment.path("content"));
        assertThat(attachment.path("content").toString())
                .contains(id)
                .contains("db/prod/customers")
                .contains("monthly churn report");
        String token = teams.tokenRequests().getFirst().body();
        assertThat(token)
                .contains("grant_type=client_credentials")
                .contains("client_id=" + FakeTeams.APP_ID)
                .contains("scope=https%3A%2F%2Fapi.botframework.com%2F.default");

        assertThat(gateway.post("/v1/actions/" + id + "/approve", "Bearer " + alice, "{\"comment\":\"from the API\"}")
                        .statusCode())
                .isEqualTo(200);

        FakeTeams.await("the card to be updated", () -> teams.updated().size() == 1);
        assertThat(teams.posted()).hasSize(1);
        FakeTeams.Call update = teams.updated().getFirst();
        assertThat(update.path()).endsWith("/activities/17000000001"); // the id the connector gave the posted activity
        assertThat(update.json().path("id").asString()).isEqualTo("17000000001");
        JsonNode updatedCard = update.json().path("attachments").get(0).path("content");
        ApprovalCardTest.assertAdaptiveCard15(updatedCard);
        assertThat(updatedCard.toString()).contains("Approved by human:alice").contains("from the API");
        assertThat(ApprovalCardTest.actionTypes(updatedCard)).containsExactly("Action.OpenUrl");
        assertThat(teams.tokenRequests()).as("the token is cached").hasSize(1);
    }

    @Test
    void aConnectorThatIsDownForAWhile_getsTheCardOnceItIsBack_exactlyOnce() throws Exception {
        teams.failConnector(2);

        String id = pendingExport(Optional.empty());

        FakeTeams.await("the card to be posted after two failed attempts", () -> teams.activitiesCreated() == 1);
        assertThat(teams.posted()).hasSize(3);
        assertThat(teams.posted().getLast().body()).contains(id);
        Thread.sleep(1_500); // longer than the worker's first backoff: a delivered card is not posted again
        assertThat(teams.activitiesCreated()).isEqualTo(1);
    }

    @Test
    void clicksFromAnotherTenant_areRefused_whenTheTenantIsPinned() {
        gateway.close();
        TeamsConfig.Bot open = teams.bot(Map.of());
        TeamsConfig.Bot pinned = new TeamsConfig.Bot(
                open.appId(),
                open.appPassword(),
                open.tokenUrl(),
                open.scope(),
                open.openIdMetadataUrl(),
                open.issuer(),
                open.serviceUrl(),
                open.conversationId(),
                open.users(),
                Optional.of("11111111-2222-4333-8444-555555555555"));
        gateway = new TeamsTestGateway(
                directory.resolve("pinned"), new TeamsConfig(Optional.of(pinned), Optional.empty(), Optional.empty()));
        agent = gateway.agent("reporter");
        alice = gateway.human("alice", "alice@example.com", "data-owners");
        String id = pendingExport(Optional.empty());

        HttpResponse<String> response =
                gateway.teams("Bearer " + teams.token(), teams.invoke("approve", id, null, ALICE_ID, ALICE_AAD));

        assertThat(FakeTeams.MAPPER.readTree(response.body()).path("value").toString())
                .contains("Not recorded: ")
                .contains("tenant");
        assertThat(gateway.request(id, alice).path("status").asString()).isEqualTo("pending");
    }

    @Test
    void aWorkflowsWebhookGetsALinkOnlyCard_whenCreatedAndWhenDecided() throws Exception {
        gateway.close();
        gateway = new TeamsTestGateway(
                directory.resolve("workflow"),
                new TeamsConfig(
                        Optional.empty(),
                        Optional.of(teams.workflowUrl()),
                        Optional.of("https://countersign.example.com")));
        agent = gateway.agent("reporter");
        alice = gateway.human("alice", "alice@example.com", "data-owners");
        String id = pendingExport(Optional.empty());

        FakeTeams.await("the created card", () -> teams.workflowPosts().size() == 1);
        assertThat(gateway.post("/v1/actions/" + id + "/deny", "Bearer " + alice, "{\"comment\":\"no\"}")
                        .statusCode())
                .isEqualTo(200);
        FakeTeams.await("the decided card", () -> teams.workflowPosts().size() == 2);
        for (FakeTeams.Call call : teams.workflowPosts()) {
            JsonNode message = call.json();
            assertThat(message.path("type").asString()).isEqualTo("message");
            JsonNode attachment = message.path("attachments").get(0);
            assertThat(attachment.path("contentType").asString()).isEqualTo("application/vnd.microsoft.card.adaptive");
            JsonNode card = attachment.path("content");
            ApprovalCardTest.assertAdaptiveCard15(card);
            assertThat(ApprovalCardTest.actionTypes(card)).containsExactly("Action.OpenUrl");
            assertThat(card.path("actions").get(0).path("title").asString()).isEqualTo("Open in Countersign");
            assertThat(card.path("actions").get(0).path("url").asString())
                    .isEqualTo("https://countersign.example.com/console/requests/" + id);
        }
        assertThat(teams.workflowPosts().get(1).body()).contains("Denied by human:alice");
    }
}
