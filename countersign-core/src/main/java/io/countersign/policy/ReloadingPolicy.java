package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy file that is reloaded when it changes. A valid change replaces the deciding policy
 * atomically (a decision runs wholly on the old or wholly on the new one); an invalid change is
 * logged at WARN, reported to the listener, and the previous policy keeps deciding, so a typo
 * never opens or closes the gate.
 *
 * <p>Changes are found by reading the file and comparing its content hash every poll interval
 * (1 s by default). Polling the content rather than using a {@code WatchService} also catches
 * editors' rename-into-place saves, symlink swaps (Kubernetes ConfigMaps) and network file
 * systems, at the cost of reading a few kilobytes a second.
 */
public final class ReloadingPolicy implements PolicyEngine, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingPolicy.class);
    private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    /** What a reload did. */
    public enum Outcome {
        /** The file's content is the deciding policy's (or a change already rejected, when polling). */
        UNCHANGED,
        /** A valid change now decides. */
        LOADED,
        /** The file changed but is invalid or unreadable; the previous policy still decides. */
        REJECTED
    }

    private final Path file;
    private final PolicyListener listener;
    private final @Nullable ScheduledExecutorService poller;
    // Read on every decision, written only under the monitor by reload(): volatile is enough.
    private volatile Policy active;
    // The content hash (or read error) last reported as rejected, so polling reports a bad file once.
    private @Nullable String lastRejected;

    private ReloadingPolicy(Path file, PolicyListener listener, Optional<Duration> pollInterval) {
        this.file = requireNonNull(file, "file is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.active = Policy.load(file);
        LOG.info(
                "policy {} loaded, version {}, {} rule(s)",
                file,
                active.version(),
                active.rules().size());
        // Last in the constructor: the poller's first run sees every field above (the executor's
        // submission happens-before its tasks), and nothing else publishes this early.
        this.poller = pollInterval.map(this::startPolling).orElse(null);
    }

    /**
     * Loads {@code file} and checks it for changes every second.
     *
     * @throws PolicyException when the file is invalid at start: better not to start than to start without a policy
     */
    public static ReloadingPolicy watch(Path file, PolicyListener listener) {
        return watch(file, DEFAULT_POLL_INTERVAL, listener);
    }

    /** Like {@link #watch(Path, PolicyListener)}, with the given poll interval. */
    public static ReloadingPolicy watch(Path file, Duration pollInterval, PolicyListener listener) {
        requireNonNull(pollInterval, "pollInterval is null");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval is " + pollInterval + ", want a positive duration");
        }
        return new ReloadingPolicy(file, listener, Optional.of(pollInterval));
    }

    /** Loads {@code file} and reloads only when {@link #reloadNow()} is called (on SIGHUP, from an admin call, in tests). */
    public static ReloadingPolicy unwatched(Path file, PolicyListener listener) {
        return new ReloadingPolicy(file, listener, Optional.empty());
    }

    private ScheduledExecutorService startPolling(Duration interval) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "countersign-policy-reload " + file.getFileName());
            // Never keep the JVM alive just to watch a file.
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1, interval.toMillis());
        executor.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
        return executor;
    }

    private void poll() {
        try {
            reload(true);
        } catch (RuntimeException e) {
            // An exception would cancel the scheduled task and silently stop reloading.
            LOG.error("policy {}: reload failed unexpectedly; will try again", file, e);
        }
    }

    /** Reads the file now and swaps in the new policy if it changed and is valid. Reports a rejected file every time. */
    public Outcome reloadNow() {
        return reload(false);
    }

    private synchronized Outcome reload(boolean quietIfAlreadyRejected) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return reject(
                    "unreadable: " + e,
                    new PolicyException(file.toString(), 0, Optional.empty(), "cannot read the policy: " + e, e),
                    quietIfAlreadyRejected);
        }
        String version = Policy.versionOf(bytes);
        if (version.equals(active.version())) {
            lastRejected = null;
            return Outcome.UNCHANGED;
        }
        Policy candidate;
        try {
            candidate = Policy.fromBytes(file.toString(), bytes);
        } catch (PolicyException e) {
            return reject(version, e, quietIfAlreadyRejected);
        }
        Policy previous = active;
        active = candidate;
        lastRejected = null;
        LOG.info(
                "policy {} reloaded: version {} replaces {}, {} rule(s)",
                file,
                candidate.version(),
                previous.version(),
                candidate.rules().size());
        try {
            listener.loaded(candidate);
        } catch (RuntimeException e) {
            LOG.warn("policy {}: listener failed on loaded({})", file, candidate.version(), e);
        }
        return Outcome.LOADED;
    }

    private Outcome reject(String what, PolicyException problem, boolean quietIfAlreadyRejected) {
        if (quietIfAlreadyRejected && what.equals(lastRejected)) {
            return Outcome.UNCHANGED;
        }
        lastRejected = what;
        LOG.warn("policy change rejected, version {} keeps deciding: {}", active.version(), problem.getMessage());
        try {
            listener.rejected(file, problem);
        } catch (RuntimeException e) {
            LOG.warn("policy {}: listener failed on rejected()", file, e);
        }
        return Outcome.REJECTED;
    }

    /** The policy deciding now. */
    public Policy current() {
        return active;
    }

    public Path file() {
        return file;
    }

    @Override
    public Decision decide(DecisionInput input) {
        return active.decide(input);
    }

    @Override
    public String version() {
        return active.version();
    }

    @Override
    public List<Breaker> breakers() {
        return active.breakers();
    }

    /** Stops watching; the last loaded policy keeps answering. */
    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "ReloadingPolicy[" + file + ", " + active + "]";
    }
}
