package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLog;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteSigner;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs the log's tree head (invariant 7): every {@code interval}, if the tree has grown since
 * the latest stored checkpoint, one Ed25519 signature over the new size and root, kept in the
 * store and handed to the witnesses. So an entry is covered by a signed checkpoint at most one
 * interval (plus a signature and a commit) after it was appended, whichever process appended
 * it, and a busy log gets one signature per interval, not one per batch. On close, one last
 * checkpoint covers everything appended before.
 *
 * <p>Before it signs, it checks the MAC of every entry the new checkpoint would cover
 * ({@link AuditLog#firstUnauthenticated}): a row that no gateway node wrote (anyone with write
 * access to the database can append one) is never signed. The checkpoint stops just before it;
 * the entry is logged, counted in {@code countersign_audit_unauthenticated_entry} and reported to
 * the admins, once, and the log stays stuck there until an operator looks ({@code audit verify --data}).
 */
public final class Checkpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    static final long SIGNER_WATCH_MILLIS = 250;

    private final AuditLog log;
    private final NoteSigner key;
    private final Clock clock;
    private final Consumer<SignedCheckpoint> published;
    private final AuditMetrics metrics;
    private final ScheduledExecutorService timer;
    private volatile boolean signing; // whether this process signed, or was allowed to, at the last check
    private final java.util.function.LongConsumer unauthenticated;
    private long reported = -1; // the bad entry already logged and reported; guarded by this

    private Checkpointer(
            AuditLog log,
            NoteSigner key,
            Clock clock,
            Consumer<SignedCheckpoint> published,
            AuditMetrics metrics,
            java.util.function.LongConsumer unauthenticated) {
        this.unauthenticated = unauthenticated;
        this.log = log;
        this.key = key;
        this.clock = clock;
        this.published = published;
        this.metrics = metrics;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("audit-checkpointer").factory());
    }

    /**
     * Signs a first checkpoint at once (so {@code GET /v1/audit/checkpoint} always has one), then
     * one per {@code interval} while the log grows.
     */
    public static Checkpointer start(
            AuditLog log,
            NoteSigner key,
            Clock clock,
            Duration interval,
            Consumer<SignedCheckpoint> published,
            AuditMetrics metrics) {
        return start(log, key, clock, interval, published, metrics, seq -> {});
    }

    /** With {@code unauthenticated} told (once) the sequence number of an entry no gateway node wrote. */
    public static Checkpointer start(
            AuditLog log,
            NoteSigner key,
            Clock clock,
            Duration interval,
            Consumer<SignedCheckpoint> published,
            AuditMetrics metrics,
            java.util.function.LongConsumer unauthenticated) {
        requireNonNull(interval, "interval is null");
        Checkpointer checkpointer = new Checkpointer(
                requireNonNull(log, "log is null"),
                requireNonNull(key, "key is null"),
                requireNonNull(clock, "clock is null"),
                requireNonNull(published, "published is null"),
                requireNonNull(metrics, "metrics is null"),
                requireNonNull(unauthenticated, "unauthenticated is null"));
        checkpointer.checkpointNow();
        long millis = interval.toMillis();
        checkpointer.timer.scheduleAtFixedRate(checkpointer::tick, millis, millis, TimeUnit.MILLISECONDS);
        checkpointer.timer.scheduleWithFixedDelay(
                checkpointer::watchSigner, SIGNER_WATCH_MILLIS, SIGNER_WATCH_MILLIS, TimeUnit.MILLISECONDS);
        return checkpointer;
    }

    /**
     * Asks the log whether this process signs, more often than the interval: with several nodes
     * the question keeps the signer's lock alive (its session ends when the node stops asking,
     * see {@code PostgresAuditLog}), and a node that has just taken over signs at once, so the
     * entries the old signer left uncovered wait for the takeover only, not for a tick more.
     */
    private void watchSigner() {
        try {
            boolean signs = log.isSigner();
            if (signs && !signing) {
                checkpointNow();
            }
            signing = signs;
        } catch (RuntimeException e) {
            // Four times a second while the database is away: the message, not the stack each time.
            LOG.warn(
                    "checking whether this node signs the audit log failed; asking again in {} ms: {}",
                    SIGNER_WATCH_MILLIS,
                    e.getMessage());
        }
    }

    /**
     * Signs and keeps a checkpoint of the whole tree unless the latest one covers it already, or
     * another gateway node sharing the database is the signer ({@link AuditLog#isSigner}).
     *
     * @return the new checkpoint, or empty when there was nothing new to sign
     */
    public synchronized Optional<SignedCheckpoint> checkpointNow() {
        if (!log.isSigner()) {
            signing = false;
            return Optional.empty(); // another gateway node on the same database signs
        }
        signing = true;
        long size = log.treeSize();
        Optional<StoredCheckpoint> latest = log.latestCheckpoint();
        if (latest.isPresent() && latest.get().size() >= size) {
            return Optional.empty();
        }
        Optional<Long> bad =
                log.firstUnauthenticated(latest.map(StoredCheckpoint::size).orElse(0L), size);
        if (bad.isPresent()) {
            refuse(bad.get());
            size = bad.get(); // sign what precedes it, never past it
            if (latest.isPresent() ? latest.get().size() >= size : size == 0) {
                return Optional.empty();
            }
        }
        byte[] root = log.root(size);
        SignedCheckpoint signed = SignedCheckpoint.sign(new Checkpoint(key.name(), size, root), key);
        if (!log.addCheckpoint(new StoredCheckpoint(
                size, root, signed.format(), clock.instant().truncatedTo(ChronoUnit.MILLIS)))) {
            return Optional.empty(); // another process kept one of this size first
        }
        metrics.signed(size);
        LOG.debug("signed the audit checkpoint of size {}", size);
        published.accept(signed);
        return Optional.of(signed);
    }

    private void refuse(long seq) {
        metrics.unauthenticated(seq);
        if (reported == seq) {
            return;
        }
        reported = seq;
        LOG.error(
                "audit entry {} was not written by a gateway node (its MAC under audit-entry.key is missing or wrong): no checkpoint"
                        + " will cover it or anything after it; run 'countersign audit verify --data' and look at the database's access",
                seq);
        try {
            unauthenticated.accept(seq);
        } catch (RuntimeException e) {
            LOG.warn("reporting the unauthenticated audit entry {} failed", seq, e);
        }
    }

    /** One failed tick (a busy database) must not stop the next. */
    private void tick() {
        try {
            checkpointNow();
        } catch (RuntimeException e) {
            LOG.warn("signing an audit checkpoint failed; retrying at the next interval", e);
        }
    }

    /** Stops the timer, then covers whatever was appended since the last tick. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            checkpointNow();
        } catch (RuntimeException e) {
            LOG.warn("signing the last audit checkpoint at shutdown failed; the next start signs one", e);
        }
    }
}
