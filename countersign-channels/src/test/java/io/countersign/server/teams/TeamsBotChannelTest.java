package io.countersign.server.teams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.outbox.NotificationType;
import io.countersign.server.channels.Channel;
import io.countersign.server.channels.Notification;
import io.countersign.workflow.ApprovalRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bot channel against a fake Bot Connector, called directly as the outbox worker calls it. */
class TeamsBotChannelTest {
    private final FakeTeams teams = new FakeTeams();
    private final TeamsModule module = TeamsModule.create(
            new TeamsConfig(Optional.of(teams.bot(Map.of())), Optional.empty(), Optional.empty()),
            () -> "http://gateway.test",
            Clock.systemUTC(),
            FakeTeams.MAPPER);
    private final Channel channel = module.channels().getFirst();

    @AfterEach
    void stop() {
        module.close();
        teams.close();
    }

    private static Notification notification(NotificationType type, ApprovalRequest request, Optional<String> ref) {
        return new Notification(
                1, type, Optional.of(request), FakeTeams.MAPPER.createObjectNode(), Instant.now(), 1, ref);
    }

    @Test
    void wantsRequestsThatNeedAHuman_andTheirLaterEvents_butNotNotices() {
        ApprovalRequest request = ApprovalCardTest.pending(ApprovalCardTest.export("report"), false);

        assertThat(channel.name()).isEqualTo("teams");
        assertThat(channel.wants(NotificationType.REQUEST_CREATED, Optional.of(request)))
                .isTrue();
        assertThat(channel.wants(NotificationType.REQUEST_VOTED, Optional.of(request)))
                .isTrue();
        assertThat(channel.wants(NotificationType.REQUEST_DECIDED, Optional.of(request)))
                .isTrue();
        assertThat(channel.wants(NotificationType.ACTION_EXECUTED, Optional.of(request)))
                .isTrue();
        assertThat(channel.wants(NotificationType.NOTICE, Optional.empty())).isFalse();
    }

    @Test
    void created_postsTheCardToTheConversation_andReturnsConversationAndActivityIds() throws Exception {
        ApprovalRequest request = ApprovalCardTest.pending(ApprovalCardTest.export("report"), false);

        Optional<String> ref =
                channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));

        assertThat(ref).contains(FakeTeams.CONVERSATION + "|17000000001");
        assertThat(teams.posted()).hasSize(1);
        assertThat(teams.posted()
                        .getFirst()
                        .json()
                        .path("attachments")
                        .get(0)
                        .path("content")
                        .path("actions")
                        .get(2)
                        .path("url")
                        .asString())
                .isEqualTo(
                        "http://gateway.test/console/requests/" + request.id().value());
    }

    @Test
    void laterEvents_replaceTheCardInPlace() throws Exception {
        ApprovalRequest request = ApprovalCardTest.pending(ApprovalCardTest.export("report"), false);

        Optional<String> ref = channel.deliver(
                notification(NotificationType.REQUEST_VOTED, request, Optional.of(FakeTeams.CONVERSATION + "|42")));

        assertThat(ref).isEmpty();
        assertThat(teams.posted()).isEmpty();
        assertThat(teams.updated()).hasSize(1);
        assertThat(teams.updated().getFirst().path())
                .isEqualTo("/connector/v3/conversations/" + FakeTeams.CONVERSATION + "/activities/42");
    }

    @Test
    void theTokenIsFetchedOnce_andAgainOnlyNearItsExpiry() throws Exception {
        ApprovalRequest request = ApprovalCardTest.pending(ApprovalCardTest.export("report"), false);
        for (int i = 0; i < 3; i++) {
            channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));
        }
        assertThat(teams.tokenRequests()).hasSize(1);
        assertThat(teams.posted())
                .allSatisfy(call -> assertThat(call.authorization()).isEqualTo("Bearer connector-token-1"));
    }

    @Test
    void theTokenIsRefreshedBeforeItRunsOut() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T05:00:00Z"));
        try (TeamsModule timed = TeamsModule.create(
                new TeamsConfig(Optional.of(teams.bot(Map.of())), Optional.empty(), Optional.empty()),
                () -> "http://gateway.test",
                clock,
                FakeTeams.MAPPER)) {
            Channel bot = timed.channels().getFirst();
            ApprovalRequest request = ApprovalCardTest.pending(ApprovalCardTest.export("report"), false);

            bot.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));
            clock.advance(Duration.ofMinutes(54)); // the token lives an hour; with 6 minutes left it is still used
            bot.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));
            clock.advance(Duration.ofMinutes(2)); // 4 minutes left: inside the refresh margin
            bot.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));

            assertThat(teams.tokenRequests()).hasSize(2);
            assertThat(teams.posted())
                    .extracting(FakeTeams.Call::authorization)
                    .containsExactly(
                            "Bearer connector-token-1", "Bearer connector-token-1", "Bearer connector-token-2");
        }
    }

    /** A clock the test moves by hand. */
    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void aConnectorThatIsDown_failsTheDelivery_soTheWorkerRetries() {
        teams.failConnector(1);
        ApprovalRequest request = ApprovalCardTest.pending(ApprovalCardTest.export("report"), false);

        assertThatThrownBy(() ->
                        channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty())))
                .isInstanceOfSatisfying(
                        io.countersign.server.channels.DeliveryFailure.class, failure -> assertThat(failure.kind())
                                .isEqualTo(io.countersign.server.channels.DeliveryFailure.Kind.TEMPORARY))
                .hasMessageContaining("503");
    }

    @Test
    void theAppPassword_isSentToTheTokenEndpointOnly_andNeverPrinted() throws Exception {
        ApprovalRequest request = ApprovalCardTest.pending(ApprovalCardTest.export("report"), false);
        channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));

        assertThat(teams.tokenRequests().getFirst().body()).contains("client_secret=" + FakeTeams.APP_PASSWORD);
        assertThat(teams.posted().getFirst().body()).doesNotContain(FakeTeams.APP_PASSWORD);
        assertThat(teams.bot(Map.of()).toString()).doesNotContain(FakeTeams.APP_PASSWORD);
        assertThat(new TeamsConfig(Optional.of(teams.bot(Map.of())), Optional.of(teams.workflowUrl()), Optional.empty())
                        .toString())
                .doesNotContain(FakeTeams.APP_PASSWORD)
                .doesNotContain("workflow-secret");
    }
}
