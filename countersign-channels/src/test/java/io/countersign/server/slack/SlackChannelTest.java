package io.countersign.server.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.Secret;
import io.countersign.outbox.NotificationType;
import io.countersign.server.channels.Notification;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SlackChannelTest {
    private static final String TOKEN = "xoxb-test-token";
    private static final String CONSOLE = "https://countersign.example.com";

    private final FakeSlack slack = newFakeSlack();
    private final SlackApi api = new SlackApi(new SlackConfig(
            new Secret(TOKEN), new Secret("signing"), "C0DEFAULT", URI.create(slack.apiBaseUrl()), Optional.empty()));
    private final SlackChannel channel = new SlackChannel(api, "C0DEFAULT", () -> CONSOLE);

    private static FakeSlack newFakeSlack() {
        try {
            return new FakeSlack(TOKEN);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        api.close();
        slack.close();
    }

    private static Notification notification(NotificationType type, ApprovalRequest request, Optional<String> ref) {
        return new Notification(
                1, type, Optional.of(request), FakeSlack.MAPPER.createObjectNode(), SlackRequests.T0, 1, ref);
    }

    @Test
    void wants_pendingCreations_laterEventsOfRequestsThatNeededApproval_andNotices() {
        ApprovalRequest pending = SlackRequests.pending();
        ApprovalRequest approved = SlackRequests.with(
                pending, RequestStatus.APPROVED, List.of(), Optional.of("human:bob"), Optional.empty());
        ApprovalRequest allowedOutright = new ApprovalRequest(
                pending.id(),
                pending.agent(),
                pending.action(),
                pending.digest(),
                new io.countersign.policy.Decision(
                        io.countersign.policy.Effect.ALLOW, List.of("free"), "free", "v", List.of()),
                RequestStatus.APPROVED,
                List.of(),
                SlackRequests.T0,
                Optional.empty(),
                Optional.of(SlackRequests.T0),
                Optional.of("policy"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());

        assertThat(channel.name()).isEqualTo("slack");
        assertThat(channel.wants(NotificationType.REQUEST_CREATED, Optional.of(pending)))
                .isTrue();
        assertThat(channel.wants(NotificationType.REQUEST_CREATED, Optional.of(allowedOutright)))
                .isFalse();
        assertThat(channel.wants(NotificationType.REQUEST_VOTED, Optional.of(pending)))
                .isTrue();
        assertThat(channel.wants(NotificationType.REQUEST_DECIDED, Optional.of(approved)))
                .isTrue();
        assertThat(channel.wants(NotificationType.REQUEST_DECIDED, Optional.of(allowedOutright)))
                .isFalse();
        assertThat(channel.wants(NotificationType.ACTION_EXECUTED, Optional.of(approved)))
                .isTrue();
        assertThat(channel.wants(NotificationType.ACTION_EXECUTED, Optional.of(allowedOutright)))
                .isFalse();
        assertThat(channel.wants(NotificationType.NOTICE, Optional.empty())).isTrue();
    }

    @Test
    void aNewRequest_isPostedToTheDefaultChannel_withTheBotToken_andItsRefIsChannelAndTs() throws Exception {
        ApprovalRequest request = SlackRequests.pending();

        Optional<String> ref =
                channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));

        FakeSlack.Call post = slack.calls("chat.postMessage").getFirst();
        assertThat(post.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(post.param("channel")).isEqualTo("C0DEFAULT");
        assertThat(post.param("text")).isEqualTo("Approval needed: report-bot wants db.export on db/prod/customers");
        JsonNode blocks = post.json("blocks");
        assertThat(blocks.isArray()).isTrue();
        assertThat(blocks.valueStream()
                        .map(block -> block.path("type").asString())
                        .toList())
                .contains("section", "actions", "context");
        assertThat(blocks.toString())
                .contains(request.id().value(), "\"action_id\":\"countersign_approve\"", "\"style\":\"danger\"");
        assertThat(ref).contains("C0DEFAULT|1700000000.000001");
    }

    @Test
    void aRuleThatNamesASlackChannel_getsTheMessageThere() throws Exception {
        ApprovalRequest request = SlackRequests.pending(
                SlackRequests.requirement("exports", 1, false, Map.of("slack", "C0EXPORTS")), "{}", "why");

        channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));

        assertThat(slack.calls("chat.postMessage").getFirst().param("channel")).isEqualTo("C0EXPORTS");
    }

    @Test
    void aLaterEvent_updatesThePostedMessageInPlace() throws Exception {
        ApprovalRequest request = SlackRequests.pending();
        ApprovalRequest approved = SlackRequests.with(
                request,
                RequestStatus.APPROVED,
                List.of(SlackRequests.vote("bob", Vote.Choice.APPROVE, Optional.empty())),
                Optional.of("human:bob"),
                Optional.empty());

        Optional<String> ref = channel.deliver(
                notification(NotificationType.REQUEST_DECIDED, approved, Optional.of("C0DEFAULT|1700000000.000042")));

        assertThat(slack.calls("chat.postMessage")).isEmpty();
        FakeSlack.Call update = slack.calls("chat.update").getFirst();
        assertThat(update.param("channel")).isEqualTo("C0DEFAULT");
        assertThat(update.param("ts")).isEqualTo("1700000000.000042");
        assertThat(update.param("text")).startsWith("Approved: ");
        assertThat(update.json("blocks").toString())
                .contains("*Approved* by bob")
                .doesNotContain("countersign_approve");
        assertThat(ref).contains("C0DEFAULT|1700000000.000042");
    }

    @Test
    void aNotice_isAPlainMessageToTheDefaultChannel() throws Exception {
        JsonNode payload = FakeSlack.MAPPER.readTree(
                "{\"group\":\"security\",\"subject\":\"Break-glass used\",\"text\":\"bob approved <req> alone\"}");

        Optional<String> ref = channel.deliver(new Notification(
                7, NotificationType.NOTICE, Optional.empty(), payload, SlackRequests.T0, 1, Optional.empty()));

        FakeSlack.Call post = slack.calls("chat.postMessage").getFirst();
        assertThat(post.param("channel")).isEqualTo("C0DEFAULT");
        assertThat(post.param("text")).isEqualTo("Break-glass used (for security)\nbob approved &lt;req&gt; alone");
        assertThat(post.params()).doesNotContainKey("blocks");
        assertThat(ref).isEmpty();
    }

    @Test
    void slackDownOrRefusing_throws_soTheOutboxRetries() {
        slack.goDown(true);

        assertThatThrownBy(() -> channel.deliver(
                        notification(NotificationType.REQUEST_CREATED, SlackRequests.pending(), Optional.empty())))
                .isInstanceOf(SlackApi.SlackCallFailed.class)
                .hasMessageContaining("chat.postMessage");

        slack.goDown(false);
        SlackApi wrongToken = new SlackApi(new SlackConfig(
                new Secret("xoxb-wrong"),
                new Secret("s"),
                "C0DEFAULT",
                URI.create(slack.apiBaseUrl()),
                Optional.empty()));
        try (wrongToken) {
            assertThatThrownBy(() -> new SlackChannel(wrongToken, "C0DEFAULT", () -> CONSOLE)
                            .deliver(notification(
                                    NotificationType.REQUEST_CREATED, SlackRequests.pending(), Optional.empty())))
                    .isInstanceOf(SlackApi.SlackCallFailed.class)
                    .hasMessage("chat.postMessage: invalid_auth");
        }
    }
}
