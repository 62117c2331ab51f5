package io.countersign.server.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Secret;
import io.countersign.outbox.Delivery;
import io.countersign.outbox.NotificationType;
import io.countersign.outbox.OutboxEvent;
import io.countersign.server.channels.Backoff;
import io.countersign.server.channels.Channels;
import io.countersign.server.channels.OutboxWorker;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.workflow.ApprovalRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox worker, a real SQLite store and the Slack channel against the fake: how Slack's refusals are handled. */
class SlackDeliveryTest {
    private static final String TOKEN = "xoxb-test-token";
    private static final String CONSOLE = "https://countersign.example.com";

    @TempDir
    Path data;

    private FakeSlack slack;
    private SlackApi api;
    private SqliteStore store;
    private OutboxWorker worker;

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack(TOKEN);
        api = new SlackApi(new SlackConfig(
                new Secret(TOKEN),
                new Secret("signing"),
                "C0DEFAULT",
                URI.create(slack.apiBaseUrl()),
                Optional.empty()));
        store = SqliteStore.open(data);
        worker = OutboxWorker.create(
                store.outbox(),
                store,
                new Channels(List.of(new SlackChannel(api, "C0DEFAULT", () -> CONSOLE))),
                Clock.systemUTC(),
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 25),
                Duration.ofMillis(50),
                FakeSlack.MAPPER,
                new SimpleMeterRegistry());
        worker.start();
    }

    @AfterEach
    void stop() {
        worker.close();
        store.close();
        api.close();
        slack.close();
    }

    private void enqueue(ApprovalRequest request, NotificationType type, boolean insert) {
        store.transact(tx -> {
            if (insert) {
                tx.insert(request);
            }
            tx.enqueue(new OutboxEvent("slack", type, Optional.of(request.id().value()), "{}", Instant.now()));
            return null;
        });
        worker.wake();
    }

    private static <T> T await(String what, Supplier<Optional<T>> condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            Optional<T> value = condition.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + what + " within 20 s");
    }

    @Test
    void refusedBlocks_failTheDeliveryAtOnce_withSlacksDetail_sendTheMinimalMessage_tellAdmins_andLaterEventsUpdateIt()
            throws Exception {
        ApprovalRequest request = SlackRequests.pending();
        slack.refuseNextBlocks(1);

        enqueue(request, NotificationType.REQUEST_CREATED, true);

        Delivery failed = await("failed delivery", () -> store.outbox().list(Delivery.Status.FAILED, 10).stream()
                .findFirst());
        assertThat(failed.attempts()).as("failed at once, not retried").isEqualTo(1);
        assertThat(failed.lastError().orElseThrow())
                .contains("invalid_blocks", "must be less than 3001 characters [json-pointer:/blocks/2/text/text]");
        FakeSlack.Call fallback = slack.calls("chat.postMessage").stream()
                .filter(call -> call.answer().path("ok").asBoolean())
                .filter(call -> call.param("text").startsWith("Approval needed"))
                .findFirst()
                .orElseThrow();
        assertThat(fallback.json("blocks").toString())
                .contains(
                        "The full message could not be shown in Slack",
                        CONSOLE + "/console/requests/" + request.id().value());
        FakeSlack.Call notice =
                slack.await("chat.postMessage", call -> call.param("text").contains("refused"));
        assertThat(notice.param("text"))
                .contains("(for admins)", "invalid_blocks", request.id().value());

        enqueue(request, NotificationType.REQUEST_VOTED, false);

        FakeSlack.Call update = slack.await("chat.update", call -> true);
        assertThat(update.param("ts")).isEqualTo(fallback.answer().path("ts").asString());
        assertThat(update.answer().path("ok").asBoolean()).isTrue();
    }

    @Test
    void anUnknownChannel_failsAtOnce_andTheRequestsLaterEventsStillGo() throws Exception {
        ApprovalRequest request = SlackRequests.pending(
                SlackRequests.requirement("exports", 1, false, Map.of("slack", "C0GONE")), "{}", "why");
        slack.refuseChannel("C0GONE", "channel_not_found");

        enqueue(request, NotificationType.REQUEST_CREATED, true);
        Delivery failed = await("failed delivery", () -> store.outbox().list(Delivery.Status.FAILED, 10).stream()
                .findFirst());
        enqueue(request, NotificationType.REQUEST_VOTED, false);

        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError().orElseThrow()).contains("channel_not_found");
        await(
                "the later event's delivery",
                () -> store.outbox().list(Delivery.Status.FAILED, 10).size() >= 2
                        ? Optional.of(true)
                        : Optional.empty());
        assertThat(slack.calls("chat.postMessage").stream()
                        .filter(call -> call.param("channel").equals("C0GONE"))
                        .count())
                .as("one attempt per event, not 25")
                .isEqualTo(2);
    }

    @Test
    void aRateLimit_waitsAsLongAsRetryAfterSays() throws Exception {
        slack.rateLimitNext(1, 120);
        Instant before = Instant.now();

        enqueue(SlackRequests.pending(), NotificationType.REQUEST_CREATED, true);

        Delivery waiting =
                await("a rate-limited attempt", () -> store.outbox().list(Delivery.Status.PENDING, 10).stream()
                        .filter(delivery -> delivery.attempts() == 1)
                        .findFirst());
        assertThat(waiting.lastError().orElseThrow()).contains("rate limited", "429", "Retry-After 120s");
        assertThat(waiting.nextAttemptAt()).isAfterOrEqualTo(before.plusSeconds(119));
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
    }
}
