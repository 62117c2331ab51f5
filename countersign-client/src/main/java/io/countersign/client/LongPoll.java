package io.countersign.client;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.time.Duration;

/**
 * Waits for a request to leave {@code pending} with repeated long-polls, each asking the server to
 * hold at most {@code maxWaitSeconds}. The server counts waits in whole seconds, so a tail shorter
 * than a second is waited out here before one last read: the whole wait ends within one round
 * trip of the caller's deadline.
 */
final class LongPoll {
    /** A server (or proxy) that answers a long-poll at once must not turn waiting into a hot loop. */
    private static final long MIN_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();

    private static final long FIRST_RECONNECT_NANOS = Duration.ofMillis(250).toNanos();
    private static final long LAST_RECONNECT_NANOS = Duration.ofSeconds(2).toNanos();
    /** Longer waits are capped so the deadline can't overflow; nobody waits ten years for a human. */
    private static final Duration LONGEST_WAIT = Duration.ofDays(3650);

    /** One HTTP call that may be held up to {@code waitSeconds} (0: answer at once). */
    @FunctionalInterface
    interface Call {
        ActionStatus call(long waitSeconds);
    }

    /** A read of the request {@code id}, held up to {@code waitSeconds}. */
    @FunctionalInterface
    interface Read {
        ActionStatus read(String id, long waitSeconds);
    }

    private final long maxWaitSeconds;
    private final Read read;

    LongPoll(long maxWaitSeconds, Read read) {
        this.maxWaitSeconds = maxWaitSeconds;
        this.read = read;
    }

    /** Makes {@code first}, then reads the request again while it is pending and time is left. */
    ActionStatus whilePending(Duration timeout, Call first) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout is " + timeout + ", want zero or more");
        }
        long started = System.nanoTime();
        long deadline = started + (timeout.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : timeout).toNanos();
        ActionStatus status = first.call(waitSeconds(deadline - started));
        while (status.isPending()) {
            long now = System.nanoTime();
            long remaining = deadline - now;
            if (remaining <= 0) {
                break;
            }
            long pause = Math.max(MIN_INTERVAL_NANOS - (now - started), 0);
            long waitSeconds = waitSeconds(remaining - pause);
            boolean last = waitSeconds == 0;
            sleep(status.id(), Math.min(last ? remaining : pause, remaining));
            started = System.nanoTime();
            status = readThroughOutages(status.id(), waitSeconds, deadline);
            if (last) {
                break;
            }
        }
        return status;
    }

    /**
     * A read that outlives a gateway restart or a node going away behind a load balancer: the
     * request is durable on the server, so a read that got no answer (or a 502/503/504 from a
     * proxy) is simply made again, after a pause that doubles up to 2 s, until the deadline.
     */
    private ActionStatus readThroughOutages(String id, long waitSeconds, long deadline) {
        long pause = FIRST_RECONNECT_NANOS;
        long wait = waitSeconds;
        while (true) {
            try {
                return read.read(id, wait);
            } catch (CountersignNetworkException | CountersignApiException e) {
                boolean outage = e instanceof CountersignNetworkException
                        || (e instanceof CountersignApiException api && api.status() >= 502 && api.status() <= 504);
                if (!outage || System.nanoTime() + pause >= deadline) {
                    throw e;
                }
                sleep(id, pause);
                pause = Math.min(pause * 2, LAST_RECONNECT_NANOS);
                wait = waitSeconds(deadline - System.nanoTime());
            }
        }
    }

    private long waitSeconds(long remainingNanos) {
        return Math.min(NANOSECONDS.toSeconds(Math.max(remainingNanos, 0)), maxWaitSeconds);
    }

    private static void sleep(String requestId, long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CountersignException("interrupted while waiting for request " + requestId, e);
        }
    }
}
