package io.countersign.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deliveries waiting in the store ({@link io.countersign.workflow.Transaction#enqueue} writes
 * them), for the worker that delivers and for the admin API. Implemented by each store.
 *
 * <p>Claims are exclusive across gateway nodes: a claimed delivery is not handed to another
 * claimer until its lease ends. Within one request and channel, deliveries are handed out in the
 * order they were written, one at a time, so a channel never sees "decided" before "created".
 */
public interface Outbox {

    /** Up to {@code limit} pending deliveries due at {@code now}, each leased for {@code lease}. */
    List<Delivery> claim(Instant now, int limit, Duration lease);

    void delivered(long id, Instant at);

    /** A failed attempt: try again at {@code nextAttemptAt}, or never by itself when {@code giveUp}. */
    void failed(long id, String error, Instant nextAttemptAt, boolean giveUp);

    /** For the admin API: deliveries in this status, newest first. */
    List<Delivery> list(Delivery.Status status, int limit);

    /** Puts a failed delivery back in the queue, due now; false when there is no such failed delivery. */
    boolean retry(long id, Instant now);

    /** How many deliveries are in each status, for metrics. */
    Map<Delivery.Status, Long> counts();

    /** The channel's reference to the message it posted for a request (to update it later). */
    Optional<String> messageRef(String request, String channel);

    void rememberMessageRef(String request, String channel, String ref);
}
