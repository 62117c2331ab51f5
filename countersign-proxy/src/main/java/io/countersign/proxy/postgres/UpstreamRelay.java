package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Streams the upstream's answers to the client, in order, on a thread of its own, and keeps track
 * of what each answer belongs to: the command tags of an executed statement (for its execution
 * record), the rows of a masked one (rewritten by its {@link RowMasker}), the answers to a
 * {@link ResultProbe} (which the client never sees), and the one error the gateway asked for
 * itself when it refused a statement (a {@link Expected.Refusal}), which the client sees as the
 * gateway's error instead.
 *
 * <p>Why refusals go through the upstream: an Execute of a portal that does not exist fails
 * without running anything and leaves the upstream's transaction exactly as a real error would
 * (failed inside a transaction block, untouched outside one), and its answer arrives in order with
 * everything sent before it.
 */
final class UpstreamRelay implements Runnable {
    private final DataInputStream upstream;
    private final ClientOut client;
    private final String refusalPortal;
    private final Runnable ended;
    private final ConcurrentLinkedQueue<Expected> expected = new ConcurrentLinkedQueue<>();
    /** Orders probes against errors and Syncs: a probe sent while the upstream skips to a Sync would never be answered. */
    private final ReentrantLock lock = new ReentrantLock();
    /** An extended-protocol error arrived and no Sync has been sent since: the upstream ignores what comes now. */
    private boolean skipping;

    /** {@code ended} runs when the upstream connection ends (the session must end with it). */
    UpstreamRelay(DataInputStream upstream, ClientOut client, String refusalPortal, Runnable ended) {
        this.upstream = requireNonNull(upstream, "upstream is null");
        this.client = requireNonNull(client, "client is null");
        this.refusalPortal = requireNonNull(refusalPortal, "refusalPortal is null");
        this.ended = requireNonNull(ended, "ended is null");
    }

    /** Registers what the session is about to send; call before sending it. */
    void expect(Expected next) {
        lock.lock();
        try {
            if (next instanceof Expected.Sync) {
                skipping = false;
            }
            expected.add(next);
        } finally {
            lock.unlock();
        }
    }

    /** Registers the answers of a withheld Parse, Bind, Describe or Close; call before sending it. */
    void expectAnswerTo(Wire.Message message) {
        expect(Expected.Prepared.answering(message));
    }

    /**
     * Registers a probe about to be sent; false (and the probe failed) when the upstream is
     * skipping to a Sync, so the probe must not be sent: it would never be answered.
     */
    boolean expect(ResultProbe.Pending probe) {
        lock.lock();
        try {
            if (skipping) {
                probe.fail("an earlier message of its batch failed", false);
                return false;
            }
            expected.add(probe);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                Wire.Message message = Wire.read(upstream, Wire.MAX_UPSTREAM_MESSAGE);
                Wire.Message shown = answer(message);
                if (shown != null) {
                    client.send(shown, upstream.available() == 0);
                } else if (upstream.available() == 0) {
                    client.flush();
                }
            }
        } catch (IOException | ProtocolViolation e) {
            // The upstream closed (the session ended, or the server went away), or a masked result did not fit
            // what was described before it ran: nothing more will be answered.
        } finally {
            for (Expected left = expected.poll(); left != null; left = expected.poll()) {
                left.failed("the upstream connection ended before answering");
            }
            ended.run();
        }
    }

    /** The message the client sees for {@code message}; null when it is the answer to a probe. */
    private Wire.@Nullable Message answer(Wire.Message message) throws IOException, ProtocolViolation {
        Expected head = expected.peek();
        switch (message.kind()) {
            case '1', '2', '3', 't', 'T', 'n' -> {
                if (head instanceof Expected.Prepared prepared) {
                    if (prepared.answered()) {
                        expected.poll();
                    }
                    return message;
                }
                if (head instanceof ResultProbe.Pending probe) {
                    if (message.kind() == 'T' || message.kind() == 'n') {
                        probe.described(message.kind() == 'T' ? ResultColumns.of(message.body()) : ResultColumns.NONE);
                        if (!probe.synced()) {
                            expected.poll();
                        }
                    }
                    return null;
                }
                if (message.kind() == 'T' && head instanceof Expected.Query query) {
                    Collected collected = query.collected();
                    if (!collected.describedAs(ResultColumns.of(message.body()))) {
                        throw endMasked("the result's columns changed after they were checked for masked columns");
                    }
                }
                return message;
            }
            case 'D' -> {
                return switch (head) {
                    case Expected.Query query -> query.collected().row(message);
                    case Expected.Execute execute -> execute.collected().row(message);
                    case null, default -> message;
                };
            }
            case 'H', 'W' -> {
                Collected collected = collected(head);
                if (collected != null && collected.masking()) {
                    // The statement enforcer refuses the COPY it recognises; this one it did not, and COPY rows
                    // are not masked. The upstream is mid-COPY, so the session ends rather than let a row out.
                    throw endMasked("COPY TO STDOUT is refused: rule " + collected.rules()
                            + " masks columns, and COPY rows are not masked");
                }
                return message;
            }
            case 'C', 'I', 's' -> {
                String tag = message.kind() == 'C'
                        ? commandTag(message.body())
                        : message.kind() == 'I' ? "EMPTY" : "SUSPENDED";
                if (head instanceof Expected.Query query) {
                    query.collected().tag(tag);
                } else if (head instanceof Expected.Execute execute) {
                    expected.poll();
                    execute.collected().tag(tag);
                    execute.collected().complete();
                }
                return message;
            }
            case 'E' -> {
                return error(head, message);
            }
            case 'Z' -> {
                lock.lock();
                try {
                    skipping = false;
                } finally {
                    lock.unlock();
                }
                if (head instanceof ResultProbe.Pending probe && probe.synced()) {
                    expected.poll();
                    // Described: the client's Query is still to be sent, and this ReadyForQuery is the probe's own.
                    return probe.ready() ? null : message;
                }
                // Everything up to the Sync (or Query) this answers is over; what never got an answer never ran.
                for (Expected next = expected.poll(); next != null; next = expected.poll()) {
                    if (next instanceof Expected.Query query) {
                        query.collected().complete();
                        break;
                    }
                    if (next instanceof Expected.Sync) {
                        break;
                    }
                    next.failed("not run: an earlier message of its batch failed");
                }
                return message;
            }
            default -> {
                return message;
            }
        }
    }

    private Wire.Message error(@Nullable Expected head, Wire.Message message) {
        Notices.Fields fields = Notices.Fields.of(message.body());
        switch (head) {
            case Expected.Query query -> {
                query.collected().firstError(fields.message());
                return message;
            }
            case ResultProbe.Pending probe
            when probe.synced() -> {
                // A simple Query's probe: its Sync follows, and this error is the Query's answer.
                probe.fail(fields.message(), true);
                return message;
            }
            case ResultProbe.Pending probe -> {
                expected.poll();
                probe.fail(fields.message(), true);
            }
            case Expected.Prepared prepared -> expected.poll();
            case Expected.Execute execute -> {
                expected.poll();
                execute.collected().error(fields.message());
                execute.collected().complete();
            }
            case Expected.Refusal refusal -> {
                expected.poll();
                skipUntilSync();
                if ("34000".equals(fields.code()) && fields.message().contains(refusalPortal)) {
                    return new Wire.Message((byte) 'E', refusal.error());
                }
                // An earlier message of the batch failed first: the client sees that error, as it would directly.
                return message;
            }
            case null, default -> {}
        }
        skipUntilSync();
        return message;
    }

    /**
     * After an extended-protocol error the upstream ignores everything up to the next Sync: a probe
     * sent before that Sync will never be answered, so it fails now, and one registered later is
     * refused until a Sync is sent.
     */
    private void skipUntilSync() {
        lock.lock();
        try {
            for (Expected next : expected) {
                if (next instanceof Expected.Sync || next instanceof Expected.Query) {
                    return;
                }
                if (next instanceof ResultProbe.Pending probe) {
                    probe.fail("an earlier message of its batch failed", false);
                }
            }
            skipping = true;
        } finally {
            lock.unlock();
        }
    }

    private ProtocolViolation endMasked(String why) throws IOException {
        client.send('E', Notices.fatal(Notices.INSUFFICIENT_PRIVILEGE, why), true);
        return new ProtocolViolation(why);
    }

    private static @Nullable Collected collected(@Nullable Expected head) {
        return switch (head) {
            case Expected.Query query -> query.collected();
            case Expected.Execute execute -> execute.collected();
            case null, default -> null;
        };
    }

    private static String commandTag(byte[] body) {
        int end = body.length > 0 && body[body.length - 1] == 0 ? body.length - 1 : body.length;
        return new String(body, 0, end, StandardCharsets.UTF_8);
    }
}
