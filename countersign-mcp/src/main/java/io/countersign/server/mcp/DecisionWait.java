package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.server.actions.LongPolls;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Workflow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Holds a caller while a request is pending, without polling the store: woken by {@link LongPolls}
 * the moment a decision lands, re-reading the request every {@code tick} (when it also reports
 * progress) in case a wake-up was missed, and giving up at {@code until}.
 */
public final class DecisionWait {
    /** Reports that the caller is still waiting; {@code step} counts up from 0. */
    @FunctionalInterface
    public interface Tick {
        void waiting(double step, ApprovalRequest pending);
    }

    private final Workflow workflow;
    private final LongPolls longPolls;
    private final Clock clock;
    private final Duration tick;

    public DecisionWait(Workflow workflow, LongPolls longPolls, Clock clock, Duration tick) {
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.longPolls = requireNonNull(longPolls, "longPolls is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.tick = requireNonNull(tick, "tick is null");
    }

    /** The request once decided, or as it stands at {@code until} (still pending). */
    public ApprovalRequest await(ApprovalRequest pending, Instant until, Tick onTick) {
        double step = 0;
        onTick.waiting(step, pending);
        CompletableFuture<ApprovalRequest> decided = longPolls.awaitDecision(pending.id());
        try {
            // Read again after registering: a decision may have landed in between.
            ApprovalRequest current = workflow.find(pending.id()).orElse(pending);
            while (current.isPending()) {
                Duration left = Duration.between(clock.instant(), until);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                try {
                    current = decided.get(Math.min(left.toMillis(), tick.toMillis()), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    current = workflow.find(pending.id()).orElse(current);
                    if (current.isPending()) {
                        onTick.waiting(++step, current);
                    }
                }
            }
            return current;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return workflow.find(pending.id()).orElse(pending);
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for request " + pending.id() + " failed", e.getCause());
        } finally {
            longPolls.forget(pending.id(), decided);
        }
    }
}
