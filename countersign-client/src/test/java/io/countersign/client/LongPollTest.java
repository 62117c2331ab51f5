package io.countersign.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LongPollTest {

    private static ActionStatus status(RequestStatus status) {
        return new ActionStatus(
                "req_1",
                status,
                ActionRequest.of("db.export", "db/prod/customers"),
                "report-bot",
                new Decision(Effect.REQUIRE_APPROVAL, List.of("exports"), Optional.empty(), "sha256:00"),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Instant.EPOCH,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** A server that holds every read for its whole wait and never decides. */
    private static final class HoldingServer implements LongPoll.Read, LongPoll.Call {
        final List<Long> waits = new ArrayList<>();

        @Override
        public ActionStatus read(String id, long waitSeconds) {
            return call(waitSeconds);
        }

        @Override
        public ActionStatus call(long waitSeconds) {
            waits.add(waitSeconds);
            try {
                Thread.sleep(Duration.ofSeconds(waitSeconds));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return status(RequestStatus.PENDING);
        }
    }

    @Test
    void whilePending_capsEachWaitAtTheMaximum_andWaitsOutTheSubSecondTailBeforeOneLastRead() {
        HoldingServer server = new HoldingServer();
        long started = System.nanoTime();

        ActionStatus last = new LongPoll(1, server).whilePending(Duration.ofMillis(2500), server);

        assertThat(last.isPending()).isTrue();
        assertThat(server.waits).containsExactly(1L, 1L, 0L);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isBetween(Duration.ofMillis(2500), Duration.ofMillis(3500));
    }

    @Test
    void whilePending_whenTheServerAnswersAtOnce_pacesTheReads() {
        List<Long> waits = new ArrayList<>();
        LongPoll.Read ignoresWait = (id, waitSeconds) -> {
            waits.add(waitSeconds);
            return status(RequestStatus.PENDING);
        };

        new LongPoll(30, ignoresWait).whilePending(Duration.ofSeconds(1), waitSeconds -> status(RequestStatus.PENDING));

        // One read per 200 ms at most, plus the last look at the deadline.
        assertThat(waits).hasSizeBetween(1, 6);
    }

    @Test
    void whilePending_stopsAtTheFirstAnswerThatIsNotPending() {
        List<RequestStatus> answers =
                new ArrayList<>(List.of(RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.PENDING));
        LongPoll.Read server = (id, waitSeconds) -> status(answers.removeFirst());

        ActionStatus last = new LongPoll(30, server)
                .whilePending(Duration.ofSeconds(10), waitSeconds -> status(RequestStatus.PENDING));

        assertThat(last.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(answers).containsExactly(RequestStatus.PENDING);
    }

    @Test
    void whilePending_readsAgainAfterTheGatewayWentAwayMidPoll() {
        java.net.URI url = java.net.URI.create("http://127.0.0.1:1/v1/actions/req_1");
        List<Object> answers = new ArrayList<>(List.of(
                new CountersignNetworkException("GET", url, new java.io.IOException("connection reset")),
                new CountersignApiException(
                        "GET", url, 503, "about:blank", "Service Unavailable", Optional.empty(), Optional.empty()),
                status(RequestStatus.APPROVED)));
        LongPoll.Read restarting = (id, waitSeconds) -> {
            Object next = answers.removeFirst();
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (ActionStatus) next;
        };

        ActionStatus last = new LongPoll(30, restarting)
                .whilePending(Duration.ofSeconds(10), waitSeconds -> status(RequestStatus.PENDING));

        assertThat(last.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(answers).isEmpty();
    }

    @Test
    void whilePending_doesNotRetryARefusal_norPastTheDeadline() {
        java.net.URI url = java.net.URI.create("http://127.0.0.1:1/v1/actions/req_1");
        LongPoll.Read refusing = (id, waitSeconds) -> {
            throw new CountersignApiException(
                    "GET",
                    url,
                    401,
                    "urn:countersign:problem:unauthorized",
                    "Unauthorized",
                    Optional.empty(),
                    Optional.empty());
        };
        assertThatThrownBy(() -> new LongPoll(30, refusing)
                        .whilePending(Duration.ofSeconds(5), waitSeconds -> status(RequestStatus.PENDING)))
                .isInstanceOf(CountersignApiException.class);

        LongPoll.Read down = (id, waitSeconds) -> {
            throw new CountersignNetworkException("GET", url, new java.io.IOException("connection refused"));
        };
        long started = System.nanoTime();
        assertThatThrownBy(() -> new LongPoll(30, down)
                        .whilePending(Duration.ofSeconds(1), waitSeconds -> status(RequestStatus.PENDING)))
                .isInstanceOf(CountersignNetworkException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void whilePending_withANegativeTimeout_isRefused() {
        LongPoll poll = new LongPoll(30, (id, waitSeconds) -> status(RequestStatus.PENDING));

        assertThatThrownBy(
                        () -> poll.whilePending(Duration.ofSeconds(-1), waitSeconds -> status(RequestStatus.PENDING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout is PT-1S, want zero or more");
    }
}
