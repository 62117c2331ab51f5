package io.countersign.server.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value a gauge reads from the database, read so that {@code /metrics} never waits on it for
 * long: each {@link #get()} starts a read (unless one is still running) and waits at most
 * {@code patience} for it; past that it answers the last value read, or nothing before the first.
 * A scrape during a database outage then answers at once with the last known values, and the
 * reads finish, or fail, on their own thread.
 */
public final class StoreReading<T> {
    private static final Logger LOG = LoggerFactory.getLogger(StoreReading.class);
    public static final Duration DEFAULT_PATIENCE = Duration.ofMillis(250);

    private final String name;
    private final Supplier<T> read;
    private final Duration patience;
    private volatile Optional<T> last = Optional.empty();
    private CompletableFuture<T> running = CompletableFuture.completedFuture(null); // guarded by this

    public StoreReading(String name, Supplier<T> read, Duration patience) {
        this.name = requireNonNull(name, "name is null");
        this.read = requireNonNull(read, "read is null");
        this.patience = requireNonNull(patience, "patience is null");
    }

    public StoreReading(String name, Supplier<T> read) {
        this(name, read, DEFAULT_PATIENCE);
    }

    /** A fresh value when the database answers within the patience, else the last one read (empty before any). */
    public Optional<T> get() {
        CompletableFuture<T> reading;
        synchronized (this) {
            if (running.isDone()) {
                CompletableFuture<T> started = new CompletableFuture<>();
                Thread.ofVirtual().name("metrics-read-" + name).start(() -> {
                    try {
                        T value = read.get();
                        last = Optional.of(value);
                        started.complete(value);
                    } catch (RuntimeException e) {
                        LOG.debug("reading {} for the metrics failed: {}", name, e.getMessage());
                        started.completeExceptionally(e);
                    }
                });
                running = started;
            }
            reading = running;
        }
        try {
            return Optional.of(reading.get(patience.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return last;
        } catch (ExecutionException | TimeoutException e) {
            return last;
        }
    }

    /** For a gauge: the value as a number, NaN when none was ever read. */
    public static <N extends Number> double number(StoreReading<N> reading) {
        return reading.get().map(Number::doubleValue).orElse(Double.NaN);
    }
}
