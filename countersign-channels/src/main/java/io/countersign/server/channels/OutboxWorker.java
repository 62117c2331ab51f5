package io.countersign.server.channels;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.Delivery;
import io.countersign.outbox.NotificationType;
import io.countersign.outbox.Outbox;
import io.countersign.outbox.OutboxEvent;
import io.countersign.server.metrics.StoreReading;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestListener;
import io.countersign.workflow.Store;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers what the workflow wrote to the outbox: claims due deliveries, hands each to its
 * channel (several at once, each on a virtual thread), and records the outcome; a failure is
 * tried again with {@link Backoff}. It wakes when a request changes on this node and otherwise
 * looks every {@code pollInterval}, which also picks up retries and other nodes' deliveries.
 * Delivery is at least once: a node that dies mid-delivery leaves a lease that runs out.
 */
public final class OutboxWorker implements RequestListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxWorker.class);
    private static final int BATCH = 32;
    private static final Duration LEASE = Duration.ofSeconds(60);
    /** Well inside the lease, so a slow delivery is given up before another node may claim it. */
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);

    private final Outbox outbox;
    private final Store requests;
    private final Channels channels;
    private final Clock clock;
    private final Backoff backoff;
    private final Duration pollInterval;
    private final JsonMapper mapper;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ExecutorService deliveries = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("outbox-delivery-", 0).factory());
    private final Thread loop;
    private final MeterRegistry registry;
    private boolean woken; // guarded by lock
    /** The counts the gauges show, read once per scrape (the three gauges share it) rather than once per gauge. */
    private volatile CountsRead counts = new CountsRead(Instant.EPOCH, java.util.Map.of());

    private final StoreReading<java.util.Map<Delivery.Status, Long>> countsReading;

    private record CountsRead(Instant at, java.util.Map<Delivery.Status, Long> counts) {}

    private volatile boolean running = true;

    private OutboxWorker(
            Outbox outbox,
            Store requests,
            Channels channels,
            Clock clock,
            Backoff backoff,
            Duration pollInterval,
            JsonMapper mapper,
            MeterRegistry registry) {
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.requests = requireNonNull(requests, "requests is null");
        this.channels = requireNonNull(channels, "channels is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.countsReading = new StoreReading<>("outbox", outbox::counts);
        for (Delivery.Status status : Delivery.Status.values()) {
            Gauge.builder("countersign.outbox.deliveries", () -> countOf(status))
                    .description("Outbox deliveries by status; failed ones wait for an admin's retry")
                    .tag("status", status.wireName())
                    .register(registry);
        }
        this.loop = Thread.ofPlatform().daemon().name("outbox-worker").unstarted(this::run);
    }

    /** A worker that delivers nothing until {@link #start()}: the gateway starts it once it knows its own URL. */
    public static OutboxWorker create(
            Outbox outbox,
            Store requests,
            Channels channels,
            Clock clock,
            Backoff backoff,
            Duration pollInterval,
            JsonMapper mapper,
            MeterRegistry registry) {
        return new OutboxWorker(outbox, requests, channels, clock, backoff, pollInterval, mapper, registry);
    }

    public void start() {
        loop.start();
    }

    /**
     * A request changed on this node: its notifications, if any channel wants one, are in the
     * outbox now. A change no channel wants wrote nothing there, and waking for it would cost a
     * claim (a write transaction, queued with everyone else's) for nothing: on the MCP gateway's
     * allow path that was two empty claims per tool call. Anything else is found by the poll.
     */
    @Override
    public void changed(ApprovalRequest request) {
        if (channels.wantsAnythingAbout(request)) {
            wake();
        }
    }

    public void wake() {
        lock.lock();
        try {
            woken = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            int handled = 0;
            try {
                handled = deliverDue();
            } catch (RuntimeException e) {
                // The database may be briefly unreachable; the deliveries stay in the outbox.
                LOG.warn("claiming outbox deliveries failed; trying again in {}", pollInterval, e);
            }
            if (handled < BATCH) {
                awaitWork();
            }
        }
    }

    private void awaitWork() {
        lock.lock();
        try {
            long nanos = pollInterval.toNanos();
            while (!woken && running && nanos > 0) {
                nanos = work.awaitNanos(nanos);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /** One round: claims a batch and waits until each is delivered or has failed. */
    int deliverDue() {
        List<Delivery> due = outbox.claim(clock.instant(), BATCH, LEASE);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Delivery delivery : due) {
            running.add(CompletableFuture.runAsync(() -> deliverOne(delivery), deliveries));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
        return due.size();
    }

    private void deliverOne(Delivery delivery) {
        String channelName = delivery.event().channel();
        Optional<Channel> channel = channels.named(channelName);
        if (channel.isEmpty()) {
            fail(delivery, "no channel named '" + channelName + "' is configured", true);
            return;
        }
        try {
            Notification notification = notificationOf(delivery);
            Optional<String> ref = CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return channel.get().deliver(notification);
                                } catch (Exception e) {
                                    throw new DeliveryFailed(e);
                                }
                            },
                            deliveries)
                    .get(DELIVERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ref.ifPresent(value -> delivery.event()
                    .request()
                    .ifPresent(request -> outbox.rememberMessageRef(request, channelName, value)));
            outbox.delivered(delivery.id(), clock.instant());
            registry.counter("countersign.outbox.delivered", "channel", channelName)
                    .increment();
        } catch (TimeoutException e) {
            fail(delivery, "timed out after " + DELIVERY_TIMEOUT.toSeconds() + "s", false);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() instanceof DeliveryFailed failed ? failed.getCause() : e.getCause();
            if (cause == null) {
                // ExecutionException allows no cause; what failed is then all there is to say.
                cause = e;
            }
            if (cause instanceof DeliveryFailure refused) {
                refused(delivery, refused);
            } else {
                fail(delivery, describe(cause), false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(delivery, "interrupted (the gateway is stopping)", false);
        } catch (RuntimeException e) {
            fail(delivery, describe(e), false);
        }
    }

    private Notification notificationOf(Delivery delivery) {
        Optional<ApprovalRequest> request = delivery.event().request().flatMap(id -> requests.find(new RequestId(id)));
        Optional<String> ref = delivery.event()
                .request()
                .flatMap(id -> outbox.messageRef(id, delivery.event().channel()));
        JsonNode payload;
        try {
            payload = mapper.readTree(delivery.event().payload());
        } catch (JacksonException e) {
            throw new IllegalStateException("outbox delivery " + delivery.id() + " has a payload that is not JSON", e);
        }
        return new Notification(
                delivery.id(),
                delivery.event().type(),
                request,
                payload,
                delivery.event().at(),
                delivery.attempts() + 1,
                ref);
    }

    /**
     * The platform answered. A permanent refusal fails the delivery now, keeps the platform's detail,
     * remembers the minimal message the channel sent instead (so later events update it) and tells
     * the admins; a rate limit waits as long as the platform asked.
     */
    private void refused(Delivery delivery, DeliveryFailure refused) {
        String channelName = delivery.event().channel();
        // Whatever the kind: what did go out is updated by later events, and a retry does not send it twice.
        refused.fallbackRef().ifPresent(ref -> delivery.event()
                .request()
                .ifPresent(request -> outbox.rememberMessageRef(request, channelName, ref)));
        switch (refused.kind()) {
            case PERMANENT -> {
                registry.counter("countersign.outbox.refused", "channel", channelName)
                        .increment();
                fail(delivery, "refused: " + describe(refused), true, Optional.empty());
                tellAdmins(delivery, refused);
            }
            case RATE_LIMITED -> fail(delivery, "rate limited: " + describe(refused), false, refused.retryAfter());
            case TEMPORARY -> fail(delivery, describe(refused), false, Optional.empty());
        }
    }

    /** A notice to the admins through every channel that takes notices; never about a notice, which could loop. */
    private void tellAdmins(Delivery delivery, DeliveryFailure refused) {
        if (delivery.event().type() == NotificationType.NOTICE) {
            return;
        }
        String request = delivery.event().request().orElse("(none)");
        tools.jackson.databind.node.ObjectNode payload = mapper.createObjectNode();
        payload.put("group", "admins");
        payload.put(
                "subject",
                delivery.event().channel() + " refused the "
                        + delivery.event().type().wireName() + " message of request " + request);
        payload.put(
                "text",
                refused.getMessage() + ". The delivery (" + delivery.id()
                        + ") is failed: see GET /v1/admin/outbox?status=failed;"
                        + (refused.fallbackRef().isPresent()
                                ? " what could be sent (a minimal message, or the messages before the failure) went out."
                                : "")
                        + " Later events of the request are still delivered.");
        try {
            requests.transact(tx -> {
                for (String channel : channels.channelsFor(NotificationType.NOTICE, Optional.empty())) {
                    tx.enqueue(new OutboxEvent(
                            channel,
                            NotificationType.NOTICE,
                            delivery.event().request(),
                            payload.toString(),
                            clock.instant()));
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("telling the admins that delivery {} was refused failed", delivery.id(), e);
        }
    }

    private void fail(Delivery delivery, String error, boolean giveUpNow) {
        fail(delivery, error, giveUpNow, Optional.empty());
    }

    private void fail(Delivery delivery, String error, boolean giveUpNow, Optional<Duration> wait) {
        int failedAttempts = delivery.attempts() + 1;
        boolean giveUp = giveUpNow || backoff.givesUpAfter(failedAttempts);
        // Retry-After is the platform's word; bounded so a bad header can't park a delivery for days.
        Instant next = clock.instant()
                .plus(wait.map(after -> after.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : after)
                        .orElse(backoff.delayAfter(failedAttempts)));
        registry.counter(
                        "countersign.outbox.failures",
                        "channel",
                        delivery.event().channel())
                .increment();
        if (giveUp) {
            LOG.error(
                    "delivery {} of {} to {} failed {} time(s) and waits for an admin's retry: {}",
                    delivery.id(),
                    delivery.event().type().wireName(),
                    delivery.event().channel(),
                    failedAttempts,
                    error);
        } else {
            LOG.warn(
                    "delivery {} of {} to {} failed (attempt {}), next try at {}: {}",
                    delivery.id(),
                    delivery.event().type().wireName(),
                    delivery.event().channel(),
                    failedAttempts,
                    next,
                    error);
        }
        try {
            outbox.failed(delivery.id(), error, next, giveUp);
        } catch (RuntimeException e) {
            // The lease runs out and the delivery is claimed again: at least once, never lost.
            LOG.warn("recording the failure of delivery {} failed", delivery.id(), e);
        }
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private double countOf(Delivery.Status status) {
        CountsRead read = counts;
        Instant now = clock.instant();
        if (Duration.between(read.at(), now).compareTo(Duration.ofSeconds(1)) >= 0) {
            // Read at most once a second for all statuses, and never waited on for long (a database outage).
            Optional<java.util.Map<Delivery.Status, Long>> fresh = countsReading.get();
            if (fresh.isEmpty()) {
                return Double.NaN;
            }
            read = new CountsRead(now, fresh.get());
            counts = read;
        }
        return read.counts().getOrDefault(status, 0L);
    }

    @Override
    public void close() {
        running = false;
        wake();
        try {
            if (loop.isAlive()) {
                loop.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliveries.shutdownNow();
    }

    /** Carries a channel's checked exception out of the delivery's future. */
    private static final class DeliveryFailed extends RuntimeException {
        DeliveryFailed(Exception cause) {
            super(cause);
        }
    }
}
