package io.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.outbox.Delivery;
import io.countersign.outbox.NotificationType;
import io.countersign.outbox.Outbox;
import io.countersign.outbox.OutboxEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every store's outbox must do: durable with the transaction, ordered per request and channel, leased, retried, never dropped. */
public abstract class OutboxContractTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);

    @TempDir
    protected Path dir;

    protected GatewayStore store;
    protected Outbox outbox;

    protected abstract GatewayStore newStore(Path dir);

    @BeforeEach
    void open() {
        store = newStore(dir);
        outbox = store.outbox();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    public void anEnqueuedEvent_isClaimedOnce_withWhatWasWritten() {
        enqueue(event("slack", NotificationType.REQUEST_CREATED, "r1", T0));

        List<Delivery> claimed = outbox.claim(T0, 10, LEASE);

        assertThat(claimed).hasSize(1);
        Delivery delivery = claimed.getFirst();
        assertThat(delivery.event()).isEqualTo(event("slack", NotificationType.REQUEST_CREATED, "r1", T0));
        assertThat(delivery.status()).isEqualTo(Delivery.Status.PENDING);
        assertThat(delivery.attempts()).isZero();
        assertThat(outbox.claim(T0, 10, LEASE)).as("leased").isEmpty();
        assertThat(outbox.claim(T0.plus(LEASE), 10, LEASE))
                .as("the lease ran out: someone died mid-delivery")
                .hasSize(1);
    }

    @Test
    public void work_thatThrows_leavesNothingInTheOutbox() {
        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.enqueue(event("slack", NotificationType.REQUEST_CREATED, "r1", T0));
                    throw new IllegalStateException("the work failed");
                }))
                .isInstanceOf(IllegalStateException.class);

        assertThat(outbox.claim(T0, 10, LEASE)).isEmpty();
        assertThat(outbox.counts()).containsEntry(Delivery.Status.PENDING, 0L);
    }

    @Test
    public void theEnqueuedEvent_survivesAReopen() {
        enqueue(event("teams", NotificationType.REQUEST_CREATED, "r1", T0));
        store.close();
        store = newStore(dir);
        outbox = store.outbox();

        assertThat(outbox.claim(T0, 10, LEASE))
                .extracting(d -> d.event().channel())
                .containsExactly("teams");
    }

    @Test
    public void aLaterEventOfTheSameRequestAndChannel_waitsUntilTheEarlierIsDelivered() {
        enqueue(event("slack", NotificationType.REQUEST_CREATED, "r1", T0));
        enqueue(event("slack", NotificationType.REQUEST_DECIDED, "r1", T0));
        enqueue(event("webhook:ops", NotificationType.REQUEST_DECIDED, "r1", T0));
        enqueue(event("slack", NotificationType.REQUEST_CREATED, "r2", T0));

        List<Delivery> first = outbox.claim(T0, 10, LEASE);
        assertThat(first)
                .extracting(d -> d.event().channel() + " " + d.event().type().wireName() + " "
                        + d.event().request().orElseThrow())
                .containsExactly(
                        "slack request.created r1", "webhook:ops request.decided r1", "slack request.created r2");

        outbox.delivered(first.getFirst().id(), T0);
        assertThat(outbox.claim(T0, 10, LEASE))
                .extracting(d -> d.event().type())
                .containsExactly(NotificationType.REQUEST_DECIDED);
    }

    @Test
    public void aFailedAttempt_isTriedAgainWhenDue_andCountsItsAttempts() {
        enqueue(event("slack", NotificationType.REQUEST_CREATED, "r1", T0));
        long id = outbox.claim(T0, 10, LEASE).getFirst().id();

        outbox.failed(id, "connect timed out", T0.plusSeconds(4), false);

        assertThat(outbox.claim(T0.plusSeconds(3), 10, LEASE)).isEmpty();
        Delivery again = outbox.claim(T0.plusSeconds(4), 10, LEASE).getFirst();
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.lastError()).contains("connect timed out");
    }

    @Test
    public void aDeliveryThatKeepsFailing_isKeptAsFailed_listed_andCanBeRetried() {
        enqueue(event("slack", NotificationType.REQUEST_CREATED, "r1", T0));
        enqueue(event("slack", NotificationType.REQUEST_DECIDED, "r1", T0));
        long id = outbox.claim(T0, 10, LEASE).getFirst().id();

        outbox.failed(id, "slack answered 500", T0.plusSeconds(300), true);

        List<Delivery> later = outbox.claim(T0.plus(Duration.ofDays(1)), 10, LEASE);
        assertThat(later)
                .as("failed, and the later event goes on without it")
                .extracting(d -> d.event().type())
                .containsExactly(NotificationType.REQUEST_DECIDED);
        outbox.delivered(later.getFirst().id(), T0.plus(Duration.ofDays(1)));
        assertThat(outbox.counts())
                .containsAllEntriesOf(
                        Map.of(Delivery.Status.FAILED, 1L, Delivery.Status.PENDING, 0L, Delivery.Status.DELIVERED, 1L));
        assertThat(outbox.list(Delivery.Status.FAILED, 10)).singleElement().satisfies(failed -> {
            assertThat(failed.id()).isEqualTo(id);
            assertThat(failed.lastError()).contains("slack answered 500");
            assertThat(failed.attempts()).isEqualTo(1);
        });

        assertThat(outbox.retry(id, T0.plusSeconds(600))).isTrue();
        assertThat(outbox.retry(id, T0.plusSeconds(600))).as("no longer failed").isFalse();
        assertThat(outbox.claim(T0.plusSeconds(600), 10, LEASE))
                .extracting(Delivery::id)
                .containsExactly(id);
    }

    @Test
    public void aDeliveredEvent_isNeverClaimedAgain() {
        enqueue(event("slack", NotificationType.REQUEST_CREATED, "r1", T0));
        long id = outbox.claim(T0, 10, LEASE).getFirst().id();

        outbox.delivered(id, T0.plusMillis(5));

        assertThat(outbox.claim(T0.plus(Duration.ofHours(1)), 10, LEASE)).isEmpty();
        assertThat(outbox.list(Delivery.Status.DELIVERED, 10))
                .singleElement()
                .satisfies(delivered -> assertThat(delivered.deliveredAt()).contains(T0.plusMillis(5)));
    }

    @Test
    public void aNoticeWithoutARequest_isDeliveredLikeAnyOther() {
        enqueue(new OutboxEvent("slack", NotificationType.NOTICE, Optional.empty(), "{\"group\":\"sre\"}", T0));
        enqueue(new OutboxEvent("slack", NotificationType.NOTICE, Optional.empty(), "{\"group\":\"sre\"}", T0));

        assertThat(outbox.claim(T0, 10, LEASE))
                .hasSize(2)
                .allSatisfy(d -> assertThat(d.event().payload()).isEqualTo("{\"group\":\"sre\"}"));
    }

    @Test
    public void claims_respectTheLimit_oldestFirst() {
        for (int i = 0; i < 5; i++) {
            enqueue(event("webhook:ops", NotificationType.REQUEST_CREATED, "r" + i, T0));
        }

        assertThat(outbox.claim(T0, 2, LEASE))
                .extracting(d -> d.event().request().orElseThrow())
                .containsExactly("r0", "r1");
        assertThat(outbox.claim(T0, 10, LEASE))
                .extracting(d -> d.event().request().orElseThrow())
                .containsExactly("r2", "r3", "r4");
    }

    @Test
    public void theMessageRefOfARequest_isRememberedPerChannel_andReplaced() {
        assertThat(outbox.messageRef("r1", "slack")).isEmpty();

        outbox.rememberMessageRef("r1", "slack", "C1|1.0001");
        outbox.rememberMessageRef("r1", "teams", "conv|act-1");
        outbox.rememberMessageRef("r1", "slack", "C1|1.0002");

        assertThat(outbox.messageRef("r1", "slack")).contains("C1|1.0002");
        assertThat(outbox.messageRef("r1", "teams")).contains("conv|act-1");
    }

    protected void enqueue(OutboxEvent event) {
        store.transact(tx -> {
            tx.enqueue(event);
            return null;
        });
    }

    protected static OutboxEvent event(String channel, NotificationType type, String request, Instant at) {
        return new OutboxEvent(channel, type, Optional.of(request), "{}", at);
    }
}
