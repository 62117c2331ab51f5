package io.countersign.server.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.Human;
import io.countersign.identity.Secret;
import io.countersign.outbox.NotificationType;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Escalation;
import io.countersign.server.channels.DeliveryFailure;
import io.countersign.server.channels.Notification;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Direct messages to the people who may decide, against the fake Slack Web API. */
class SlackDirectChannelTest {
    private static final String TOKEN = "xoxb-test-token";
    private static final String CONSOLE = "https://countersign.example.com";

    private FakeSlack slack;
    private SlackApi api;
    private final List<Human> humans = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack(TOKEN);
        api = new SlackApi(new SlackConfig(
                new Secret(TOKEN),
                new Secret("signing"),
                "C0DEFAULT",
                URI.create(slack.apiBaseUrl()),
                Optional.empty()));
        humans.add(new Human("bob", "bob@example.com", Set.of("data-owners")));
        humans.add(new Human("carol", "Carol@Example.com", Set.of("data-owners")));
        // alice is a data owner too, but the request acts for her.
        humans.add(new Human("alice", "alice@example.com", Set.of("data-owners")));
        humans.add(new Human("sam", "sam@example.com", Set.of("security-leads")));
        slack.user("U0BOB", "bob@example.com", true);
        slack.user("U0CAROL", "carol@example.com", true);
        slack.user("U0ALICE", "alice@example.com", true);
        slack.user("U0SAM", "sam@example.com", true);
    }

    @AfterEach
    void stop() {
        api.close();
        slack.close();
    }

    private SlackDirectChannel channel(boolean dmByDefault) {
        return new SlackDirectChannel(
                api,
                groups -> humans.stream()
                        .filter(human -> human.isMemberOfAny(groups))
                        .toList(),
                dmByDefault,
                () -> CONSOLE);
    }

    private static ApprovalRequirement requirement(Set<String> directTo, Optional<Escalation> escalation) {
        return new ApprovalRequirement(
                "exports-need-a-data-owner",
                Set.of("data-owners"),
                1,
                Duration.ofMinutes(30),
                false,
                Map.of(),
                directTo,
                escalation);
    }

    private static ApprovalRequest pending(ApprovalRequirement requirement) {
        return SlackRequests.pending(requirement, "{\"table\":\"customers\"}", "monthly churn report");
    }

    private static Notification notification(
            NotificationType type, ApprovalRequest request, Optional<String> messageRef) {
        return new Notification(
                1, type, Optional.of(request), FakeSlack.MAPPER.createObjectNode(), SlackRequests.T0, 1, messageRef);
    }

    @Test
    void sendsEachApproverFoundByEmailADirectMessageWithTheButtonsButNotTheHumanTheRequestActsFor() throws Exception {
        ApprovalRequest request = pending(requirement(Set.of("slack"), Optional.empty()));
        SlackDirectChannel channel = channel(false);
        assertThat(channel.wants(NotificationType.REQUEST_CREATED, Optional.of(request)))
                .isTrue();

        String ref = channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()))
                .orElseThrow();

        assertThat(slack.calls("users.lookupByEmail"))
                .extracting(call -> call.param("email"))
                .containsExactlyInAnyOrder("bob@example.com", "Carol@Example.com");
        assertThat(slack.directMessagesTo("U0BOB")).hasSize(1);
        assertThat(slack.directMessagesTo("U0CAROL")).hasSize(1);
        assertThat(slack.directMessagesTo("U0ALICE")).isEmpty();
        assertThat(slack.directMessagesTo("U0BOB").getFirst().json("blocks").toString())
                .contains(ApprovalMessage.APPROVE)
                .contains(request.id().value());
        // Slack answers with the conversation's id: what chat.update (and the click check) need.
        assertThat(DirectMessages.parse(ref).messages())
                .extracting(SlackApi.MessageRef::channel)
                .containsExactlyInAnyOrder("D0BOB", "D0CAROL");
    }

    @Test
    void updatesEveryDirectMessageInPlaceWhenTheRequestIsDecidedAndPostsNothingNew() throws Exception {
        ApprovalRequest request = pending(requirement(Set.of("slack"), Optional.empty()));
        SlackDirectChannel channel = channel(false);
        String ref = channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()))
                .orElseThrow();
        int posted = slack.calls("chat.postMessage").size();

        ApprovalRequest denied = SlackRequests.with(
                request,
                RequestStatus.DENIED,
                List.of(SlackRequests.vote("bob", io.countersign.workflow.Vote.Choice.DENY, Optional.of("no"))),
                Optional.of("human:bob"),
                Optional.empty());
        Optional<String> after =
                channel.deliver(notification(NotificationType.REQUEST_DECIDED, denied, Optional.of(ref)));

        assertThat(after).contains(ref);
        assertThat(slack.calls("chat.postMessage")).hasSize(posted);
        assertThat(slack.calls("chat.update"))
                .extracting(call -> call.param("channel"))
                .containsExactlyInAnyOrder("D0BOB", "D0CAROL");
        assertThat(slack.calls("chat.update").getFirst().param("blocks")).doesNotContain(ApprovalMessage.APPROVE);
    }

    @Test
    void recordsAnApproverSlackHasNoUserForAndStillMessagesTheOthersOnce() throws Exception {
        humans.add(new Human("dan", "dan@example.com", Set.of("data-owners")));
        slack.deactivatedUser("U0ERIN", "erin@example.com");
        humans.add(new Human("erin", "erin@example.com", Set.of("data-owners")));
        ApprovalRequest request = pending(requirement(Set.of("slack"), Optional.empty()));
        SlackDirectChannel channel = channel(false);

        DeliveryFailure failure = (DeliveryFailure) catchFailure(
                () -> channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty())));

        assertThat(failure.kind()).isEqualTo(DeliveryFailure.Kind.PERMANENT);
        assertThat(failure.getMessage())
                .contains("dan (no active Slack user has the email dan@example.com)")
                .contains("erin (no active Slack user has the email erin@example.com)")
                .contains("2 sent");
        assertThat(slack.calls("users.lookupByEmail").stream()
                        .filter(call -> call.param("email").equals("dan@example.com"))
                        .findFirst()
                        .orElseThrow()
                        .answer()
                        .path("error")
                        .asString())
                .isEqualTo("users_not_found");
        // The outbox keeps what went out and who could not be found: a vote updates bob's and carol's, asks no one
        // twice.
        String kept = failure.fallbackRef().orElseThrow();
        assertThat(DirectMessages.parse(kept).messages()).hasSize(2);
        int lookups = slack.calls("users.lookupByEmail").size();
        channel.deliver(notification(NotificationType.REQUEST_VOTED, request, Optional.of(kept)));
        assertThat(slack.calls("users.lookupByEmail")).hasSize(lookups);
        assertThat(slack.directMessagesTo("U0BOB")).hasSize(1);
    }

    @Test
    void saysOnceThatTheTokenLacksUsersReadEmail() throws Exception {
        slack.withoutScope("users:read.email");
        ApprovalRequest request = pending(requirement(Set.of("slack"), Optional.empty()));

        DeliveryFailure failure = (DeliveryFailure) catchFailure(() ->
                channel(false).deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty())));

        assertThat(failure.kind()).isEqualTo(DeliveryFailure.Kind.PERMANENT);
        assertThat(failure.getMessage()).contains("missing_scope").contains("needs scope users:read.email");
        assertThat(slack.calls("users.lookupByEmail")).hasSize(1);
        assertThat(slack.calls("chat.postMessage")).isEmpty();
    }

    @Test
    void aRateLimitKeepsTheMessagesThatWentOutSoTheRetrySendsNoneTwice() throws Exception {
        ApprovalRequest request = pending(requirement(Set.of("slack"), Optional.empty()));
        SlackDirectChannel channel = channel(false);
        // bob's lookup and post go through, then Slack says slow down at carol's lookup (alice is never looked up).
        DeliveryFailure failure = (DeliveryFailure) catchFailure(() -> {
            slack.rateLimitAfter(2, 1, 7);
            return channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.empty()));
        });

        assertThat(failure.kind()).isEqualTo(DeliveryFailure.Kind.RATE_LIMITED);
        assertThat(failure.retryAfter()).contains(Duration.ofSeconds(7));
        String kept = failure.fallbackRef().orElseThrow();
        channel.deliver(notification(NotificationType.REQUEST_CREATED, request, Optional.of(kept)));

        assertThat(slack.directMessagesTo("U0BOB")).hasSize(1);
        assertThat(slack.directMessagesTo("U0CAROL")).hasSize(1);
    }

    @Test
    void lookupsPastSlacksTier3BudgetAreRateLimited() throws Exception {
        for (int i = 0; i < FakeSlack.TIER_3_PER_MINUTE; i++) {
            api.userIdByEmail("nobody" + i + "@example.com");
        }
        assertThatThrownBy(() -> api.userIdByEmail("bob@example.com"))
                .isInstanceOfSatisfying(DeliveryFailure.class, failure -> assertThat(failure.kind())
                        .isEqualTo(DeliveryFailure.Kind.RATE_LIMITED));
    }

    @Test
    void withoutDirectMessagesAskedForNothingIsSentUntilTheRequestEscalates() throws Exception {
        Escalation escalation =
                new Escalation(Duration.ofMinutes(15), Set.of("security-leads"), Map.of("slack", "C0ESCALATE"));
        ApprovalRequest request = pending(requirement(Set.of(), Optional.of(escalation)));
        SlackDirectChannel channel = channel(false);
        assertThat(channel.wants(NotificationType.REQUEST_CREATED, Optional.of(request)))
                .isFalse();
        assertThat(channel.deliver(notification(NotificationType.REQUEST_VOTED, request, Optional.empty())))
                .isEmpty();
        assertThat(slack.calls()).isEmpty();

        ApprovalRequest escalated = escalated(request);
        assertThat(channel.wants(NotificationType.REQUEST_ESCALATED, Optional.of(escalated)))
                .isTrue();
        String ref = channel.deliver(notification(NotificationType.REQUEST_ESCALATED, escalated, Optional.empty()))
                .orElseThrow();

        // The escalation's group hears of it directly, its channel in the channel; the first approvers had the channel.
        assertThat(slack.directMessagesTo("U0SAM")).hasSize(1);
        assertThat(slack.directMessagesTo("U0BOB")).isEmpty();
        assertThat(slack.calls("chat.postMessage"))
                .extracting(call -> call.param("channel"))
                .containsExactlyInAnyOrder("U0SAM", "C0ESCALATE");
        assertThat(slack.directMessagesTo("U0SAM").getFirst().param("blocks"))
                .contains("data-owners, security-leads (escalated)");
        assertThat(DirectMessages.parse(ref).messages()).hasSize(2);
    }

    private static ApprovalRequest escalated(ApprovalRequest request) {
        return new ApprovalRequest(
                request.id(),
                request.agent(),
                request.action(),
                request.digest(),
                request.decision(),
                request.status(),
                request.votes(),
                request.createdAt(),
                request.expiresAt(),
                request.decidedAt(),
                request.decidedBy(),
                request.idempotencyKey(),
                request.grant(),
                request.execution(),
                request.delegation(),
                request.resolution(),
                request.breakGlass(),
                request.resolvedOnBehalfOf(),
                Set.of(request.decision().approvals().getFirst().rule()));
    }

    private interface Delivery {
        Object run() throws Exception;
    }

    private static Exception catchFailure(Delivery delivery) {
        try {
            delivery.run();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("the delivery did not fail");
    }
}
