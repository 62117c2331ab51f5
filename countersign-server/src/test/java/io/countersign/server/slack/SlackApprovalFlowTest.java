package io.countersign.server.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Approvals through Slack against a real gateway and a fake Slack Web API. */
class SlackApprovalFlowTest {
    @TempDir
    Path directory;

    private SlackTestGateway gateway;
    private FakeSlack slack;
    private String agent;
    private String bob;

    @BeforeEach
    void start() throws Exception {
        gateway = new SlackTestGateway(directory);
        slack = gateway.slack;
        agent = gateway.agent("report-bot");
        bob = gateway.human("bob", "data-owners");
        gateway.human("alice", "data-owners");
        slack.user("U0BOB", "bob@example.com", true);
        slack.user("U0ALICE", "alice@example.com", true);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    /** The request, once the gateway's outbox worker has posted it to Slack; answers the message's ts. */
    private String postedMessage(String id) throws Exception {
        return slack.await(
                        "chat.postMessage",
                        call -> call.param("blocks").contains(id)
                                && call.answer().path("ok").asBoolean())
                .answer()
                .path("ts")
                .asString();
    }

    private static String click(String user, String actionId, String requestId, String channel, String ts) {
        ObjectNode payload = FakeSlack.MAPPER.createObjectNode();
        payload.put("type", "block_actions");
        payload.putObject("user")
                .put("id", user)
                .put("username", user.toLowerCase())
                .put("team_id", "T0TEAM");
        payload.put("api_app_id", "A0APP");
        payload.putObject("team").put("id", "T0TEAM");
        payload.putObject("container")
                .put("type", "message")
                .put("message_ts", ts)
                .put("channel_id", channel)
                .put("is_ephemeral", false);
        payload.putObject("channel").put("id", channel);
        payload.put("trigger_id", "1234567890.0987654321.trigger");
        payload.put("response_url", "https://hooks.slack.com/actions/T0TEAM/1/abc");
        payload.putArray("actions")
                .addObject()
                .put("action_id", actionId)
                .put("block_id", "countersign_decide")
                .put("value", requestId)
                .put("type", "button")
                .put("action_ts", "1700000002.000001");
        return payload.toString();
    }

    private static String submission(String user, JsonNode view, String comment) {
        ObjectNode payload = FakeSlack.MAPPER.createObjectNode();
        payload.put("type", "view_submission");
        payload.putObject("user").put("id", user);
        payload.putObject("team").put("id", "T0TEAM");
        ObjectNode submitted = (ObjectNode) view.deepCopy();
        submitted.put("id", "V0FAKE");
        submitted
                .putObject("state")
                .putObject("values")
                .putObject(DenyModal.COMMENT_BLOCK)
                .putObject(DenyModal.COMMENT_ACTION)
                .put("type", "plain_text_input")
                .put("value", comment);
        payload.set("view", submitted);
        return payload.toString();
    }

    @Test
    void approveClickedInSlack_approvesTheRequest_andUpdatesTheMessage() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", "alice@example.com");
        String ts = postedMessage(id);
        assertThat(slack.calls("chat.postMessage").getFirst().param("channel")).isEqualTo("C0EXPORTS");

        HttpResponse<String> answer = gateway.interact(click("U0BOB", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts));

        assertThat(answer.statusCode()).isEqualTo(200);
        FakeSlack.Call update = slack.await(
                "chat.update",
                call -> call.param("ts").equals(ts) && call.param("blocks").contains("*Approved* by bob"));
        assertThat(update.param("channel")).isEqualTo("C0EXPORTS");
        assertThat(update.json("blocks").toString()).doesNotContain(ApprovalMessage.APPROVE);
        JsonNode request = gateway.request(id, agent);
        assertThat(request.path("status").asString()).isEqualTo("approved");
        assertThat(request.path("votes").get(0).path("voter").asString()).isEqualTo("bob");
        assertThat(request.path("votes").get(0).path("channel").asString()).isEqualTo("slack");
        assertThat(slack.calls("users.info").getFirst().param("user")).isEqualTo("U0BOB");
    }

    @Test
    void aForgedStaleFutureOrMissingSignature_gets401_andChangesNothing() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);
        String ts = postedMessage(id);
        byte[] body = SlackTestGateway.form(click("U0BOB", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts));
        String now = Long.toString(Instant.now().getEpochSecond());
        String stale = Long.toString(Instant.now().minusSeconds(6 * 60).getEpochSecond());
        String future = Long.toString(Instant.now().plusSeconds(6 * 60).getEpochSecond());
        String forged = new SlackSignature(new io.countersign.identity.Secret("someone-elses-secret")).sign(now, body);
        byte[] tampered = SlackTestGateway.form(
                click("U0BOB", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts).replace("U0BOB", "U0EVE"));
        int callsBefore = slack.calls().size();

        assertThat(gateway.interact(body, now, forged).statusCode()).isEqualTo(401);
        assertThat(gateway.interact(body, stale, gateway.sign(stale, body)).statusCode())
                .isEqualTo(401);
        assertThat(gateway.interact(body, future, gateway.sign(future, body)).statusCode())
                .isEqualTo(401);
        assertThat(gateway.interact(tampered, now, gateway.sign(now, body)).statusCode())
                .isEqualTo(401);
        assertThat(gateway.interact(body, null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = gateway.interact(body, now, "v0=" + "0".repeat(64));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        Thread.sleep(300); // nothing runs in the background either
        assertThat(slack.calls()).hasSize(callsBefore);
        assertThat(gateway.status(id, agent)).isEqualTo("pending");
    }

    @Test
    void theSlackUserWhoIsTheOnBehalfOfHuman_isRefusedWithAnEphemeralMessage() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", "alice@example.com");
        String ts = postedMessage(id);

        assertThat(gateway.interact(click("U0ALICE", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts))
                        .statusCode())
                .isEqualTo(200);

        FakeSlack.Call ephemeral = slack.await("chat.postEphemeral", call -> true);
        assertThat(ephemeral.param("channel")).isEqualTo("C0EXPORTS");
        assertThat(ephemeral.param("user")).isEqualTo("U0ALICE");
        assertThat(ephemeral.param("text")).contains("alice is the human this request acts on behalf of");
        assertThat(gateway.status(id, agent)).isEqualTo("pending");
        assertThat(slack.calls("chat.update")).isEmpty();
    }

    static java.util.List<io.countersign.identity.ConfusableSpellings.Spelling> spellingsAcceptedAtSubmission() {
        return io.countersign.identity.ConfusableSpellings.all().stream()
                .filter(s -> s.refusedAt() == io.countersign.identity.ConfusableSpellings.RefusedAt.VOTE)
                .toList();
    }

    /** Slack asks the one vote rule: under every spelling the API accepts, alice's click is refused as it is there. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("spellingsAcceptedAtSubmission")
    void refusesApprovalInSlackByTheHumanTheAgentActsForUnderAConfusableSpelling(
            io.countersign.identity.ConfusableSpellings.Spelling spelling) throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", spelling.value());
        String ts = postedMessage(id);

        gateway.interact(click("U0ALICE", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts));

        FakeSlack.Call ephemeral = slack.await("chat.postEphemeral", call -> true);
        assertThat(ephemeral.param("text")).contains("alice is the human this request acts on behalf of");
        assertThat(gateway.status(id, agent)).isEqualTo("pending");
    }

    @Test
    void aSlackUserWithoutAConfirmedEmail_orUnknownToCountersign_isRefused() throws Exception {
        slack.user("U0MALLORY", "bob@example.com", false);
        slack.user("U0STRANGER", "stranger@example.com", true);
        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);
        String ts = postedMessage(id);

        gateway.interact(click("U0MALLORY", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts));
        gateway.interact(click("U0STRANGER", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts));

        assertThat(slack.await("chat.postEphemeral", call -> call.param("user").equals("U0MALLORY"))
                        .param("text"))
                .contains("Slack has no confirmed email for your account");
        assertThat(slack.await("chat.postEphemeral", call -> call.param("user").equals("U0STRANGER"))
                        .param("text"))
                .contains("no approver with the email stranger@example.com");
        assertThat(gateway.status(id, agent)).isEqualTo("pending");
    }

    @Test
    void denyOpensAModal_andItsSubmissionDeniesWithTheComment() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);
        String ts = postedMessage(id);

        assertThat(gateway.interact(click("U0BOB", ApprovalMessage.DENY, id, "C0EXPORTS", ts))
                        .statusCode())
                .isEqualTo(200);

        FakeSlack.Call open = slack.await("views.open", call -> true);
        assertThat(open.param("trigger_id")).isEqualTo("1234567890.0987654321.trigger");
        JsonNode view = open.json("view");
        assertThat(view.path("type").asString()).isEqualTo("modal");
        assertThat(view.path("callback_id").asString()).isEqualTo(DenyModal.CALLBACK_ID);
        assertThat(view.path("private_metadata").asString()).contains(id);
        assertThat(view.path("blocks").get(1).path("type").asString()).isEqualTo("input");
        assertThat(view.path("blocks").get(1).path("element").path("type").asString())
                .isEqualTo("plain_text_input");
        assertThat(gateway.status(id, agent)).isEqualTo("pending");

        HttpResponse<String> submitted = gateway.interact(submission("U0BOB", view, "not before the audit"));

        assertThat(submitted.statusCode()).isEqualTo(200);
        assertThat(submitted.body()).isEmpty();
        JsonNode request = gateway.request(id, agent);
        assertThat(request.path("status").asString()).isEqualTo("denied");
        assertThat(request.path("votes").get(0).path("comment").asString()).isEqualTo("not before the audit");
        assertThat(slack.await("chat.update", call -> call.param("ts").equals(ts))
                        .param("blocks"))
                .contains("*Denied* by bob", "not before the audit");
    }

    @Test
    void aDenySubmissionBySomeoneWhoMayNotVote_showsWhyInTheModal_andChangesNothing() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", "alice@example.com");
        String ts = postedMessage(id);
        gateway.interact(click("U0BOB", ApprovalMessage.DENY, id, "C0EXPORTS", ts));
        JsonNode view = slack.await("views.open", call -> true).json("view");

        HttpResponse<String> byAlice = gateway.interact(submission("U0ALICE", view, "no"));
        HttpResponse<String> empty = gateway.interact(submission("U0BOB", view, "  "));

        JsonNode answer = FakeSlack.MAPPER.readTree(byAlice.body());
        assertThat(answer.path("response_action").asString()).isEqualTo("errors");
        assertThat(answer.path("errors").path(DenyModal.COMMENT_BLOCK).asString())
                .contains("acts on behalf of");
        assertThat(FakeSlack.MAPPER
                        .readTree(empty.body())
                        .path("errors")
                        .path(DenyModal.COMMENT_BLOCK)
                        .asString())
                .contains("needs a comment");
        assertThat(gateway.status(id, agent)).isEqualTo("pending");
    }

    @Test
    void votesTowardAQuorumOfTwo_showInTheMessage_andTheSecondApprovalDecides() throws Exception {
        gateway.human("sam", "security");
        gateway.human("tia", "security");
        slack.user("U0SAM", "sam@example.com", true);
        slack.user("U0TIA", "tia@example.com", true);
        String id = gateway.submit(agent, "secrets.rotate", "vault/prod/db", null);
        String ts = postedMessage(id);
        assertThat(slack.calls("chat.postMessage").getFirst().param("channel"))
                .isEqualTo(SlackTestGateway.DEFAULT_CHANNEL);

        gateway.interact(click("U0SAM", ApprovalMessage.APPROVE, id, SlackTestGateway.DEFAULT_CHANNEL, ts));
        FakeSlack.Call first =
                slack.await("chat.update", call -> call.param("blocks").contains("1 of 2 approvals"));
        assertThat(first.param("blocks")).contains("sam approved via slack", ApprovalMessage.APPROVE);

        gateway.interact(click("U0TIA", ApprovalMessage.APPROVE, id, SlackTestGateway.DEFAULT_CHANNEL, ts));
        slack.await("chat.update", call -> call.param("blocks").contains("*Approved* by tia"));
        assertThat(gateway.status(id, agent)).isEqualTo("approved");
    }

    @Test
    void aStepUpRule_showsTheConsoleLink_andAForgedApproveClickIsRefused() throws Exception {
        gateway.human("sam", "security");
        slack.user("U0SAM", "sam@example.com", true);
        String id = gateway.submit(agent, "keys.delete", "kms/prod/signing", null);
        String ts = postedMessage(id);
        assertThat(slack.calls("chat.postMessage").getFirst().param("blocks"))
                .contains(ApprovalMessage.OPEN_CONSOLE, "Decide in the console")
                .doesNotContain(ApprovalMessage.APPROVE);

        gateway.interact(click("U0SAM", ApprovalMessage.APPROVE, id, SlackTestGateway.DEFAULT_CHANNEL, ts));

        assertThat(slack.await("chat.postEphemeral", call -> true).param("text"))
                .contains("needs a sign-in within", "/console/requests/" + id);
        assertThat(gateway.status(id, agent)).isEqualTo("pending");
    }

    @Test
    void aDecisionMadeThroughTheApi_updatesTheSlackMessage() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);
        String ts = postedMessage(id);

        HttpResponse<String> approved = gateway.post("/v1/actions/" + id + "/approve", bob, "{\"comment\":\"fine\"}");
        assertThat(approved.statusCode()).isEqualTo(200);
        // No Slack interaction here: the gateway's outbox worker delivers the decision by itself.
        FakeSlack.Call update =
                slack.await("chat.update", call -> call.param("ts").equals(ts));
        assertThat(update.param("channel")).isEqualTo("C0EXPORTS");
        assertThat(update.param("blocks")).contains("*Approved* by bob", "bob approved via api");
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
    }

    @Test
    void aClickOnAnAlreadyDecidedRequest_isRefusedWithAnEphemeralMessage() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);
        String ts = postedMessage(id);
        assertThat(gateway.post("/v1/actions/" + id + "/deny", bob, "{\"comment\":\"no\"}")
                        .statusCode())
                .isEqualTo(200);

        gateway.interact(click("U0ALICE", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts));

        assertThat(slack.await("chat.postEphemeral", call -> true).param("text"))
                .contains("You can't approve this request", "is denied");
        assertThat(gateway.request(id, agent).path("votes")).hasSize(1);
    }

    @Test
    void slackDownForAWhile_getsTheMessageOnceItIsBack_exactlyOnce() throws Exception {
        slack.failNext(2);

        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);

        postedMessage(id);
        assertThat(slack.calls("chat.postMessage")).hasSize(3);
        assertThat(slack.calls("chat.postMessage").subList(0, 2))
                .allSatisfy(
                        call -> assertThat(call.answer().path("ok").asBoolean()).isFalse());
        Thread.sleep(1_500); // longer than the worker's first backoff: a delivered message is not posted again
        assertThat(slack.calls("chat.postMessage").stream()
                        .filter(call -> call.answer().path("ok").asBoolean()))
                .hasSize(1);
        assertThat(slack.calls("chat.update")).isEmpty();
    }

    @Test
    void theInteractionEndpoint_needsNoBearerToken_butIsRefusedWithoutASignature() throws Exception {
        HttpResponse<String> unsigned = gateway.interact("payload=%7B%7D".getBytes(StandardCharsets.UTF_8), null, null);

        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("missing X-Slack-Request-Timestamp");
    }

    @Test
    void slackUnreachableForThirtySeconds_getsTheMessageAndItsUpdateOnceItIsBack_exactlyOnce() throws Exception {
        slack.goAway();
        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);
        assertThat(gateway.post("/v1/actions/" + id + "/approve", bob, "{\"comment\":\"fine\"}")
                        .statusCode())
                .as("deciding does not wait for Slack")
                .isEqualTo(200);

        Thread.sleep(30_000);
        assertThat(slack.calls()).isEmpty();
        slack.comeBack();

        String ts = postedMessage(id);
        FakeSlack.Call update =
                slack.await("chat.update", call -> call.param("ts").equals(ts));
        assertThat(update.param("blocks")).contains("*Approved* by bob");
        Thread.sleep(5_000); // longer than the longest backoff: nothing comes twice
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(slack.calls("chat.update")).hasSize(1);
    }

    @Test
    void aClickNamingAnotherRequest_onThisRequestsMessage_votesOnNeither_andRewritesNothing() throws Exception {
        String a = gateway.submit(agent, "db.export", "db/prod/customers", null);
        String tsA = postedMessage(a);
        String b = gateway.submit(agent, "db.export", "db/prod/customers", null);
        postedMessage(b);

        gateway.interact(click("U0BOB", ApprovalMessage.APPROVE, b, "C0EXPORTS", tsA));

        assertThat(slack.await("chat.postEphemeral", call -> true).param("text"))
                .contains("This button is not on request " + b + "'s message");
        assertThat(gateway.status(a, agent)).isEqualTo("pending");
        assertThat(gateway.status(b, agent)).isEqualTo("pending");
        assertThat(slack.calls("chat.update")).isEmpty();
    }

    @Test
    void whenSlackCantSayWhoClicked_theClickerIsToldEphemerally_andNothingIsRecorded() throws Exception {
        String id = gateway.submit(agent, "db.export", "db/prod/customers", null);
        String ts = postedMessage(id);
        slack.failNext(1); // users.info, the next call Slack gets

        gateway.interact(click("U0BOB", ApprovalMessage.APPROVE, id, "C0EXPORTS", ts));

        assertThat(slack.await("chat.postEphemeral", call -> true).param("text"))
                .contains("Slack could not tell Countersign who you are");
        assertThat(slack.calls("users.info").getFirst().answer().path("ok").asBoolean())
                .isFalse();
        assertThat(gateway.status(id, agent)).isEqualTo("pending");
    }

    @Test
    void theApi_refusesAnOnBehalfOfReasonOrParamsBeyondTheirLimits_withAProblem() throws Exception {
        String tooLongName = "{\"action\":\"db.export\",\"resource\":\"db/prod/customers\",\"reason\":\"r\","
                + "\"onBehalfOf\":\"" + "a".repeat(30_000) + "@example.com\"}";
        String tooLongReason = "{\"action\":\"db.export\",\"resource\":\"db/prod/customers\",\"reason\":\""
                + "&".repeat(4_001) + "\"}";
        String tooLargeParams = "{\"action\":\"db.export\",\"resource\":\"db/prod/customers\",\"reason\":\"r\","
                + "\"params\":{\"blob\":\"" + "x".repeat(40_000) + "\"}}";

        for (String body : List.of(tooLongName, tooLongReason, tooLargeParams)) {
            HttpResponse<String> answer = gateway.post("/v1/actions", agent, body);
            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(answer.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(answer.body()).contains("at most");
        }
        assertThat(slack.calls("chat.postMessage")).isEmpty();
    }
}
