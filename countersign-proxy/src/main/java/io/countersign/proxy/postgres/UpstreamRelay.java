package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.proxy.ExecutionRecord;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Streams the upstream's answers to the client unchanged, in order, on a thread of its own, and
 * keeps track of what each answer belongs to: the command tags of an executed statement (for its
 * execution record), and the one error the gateway asked for itself when it refused a statement
 * (a {@link Expected.Refusal}), which the client sees as the gateway's error instead.
 *
 * <p>Why refusals go through the upstream: an Execute of a portal that does not exist fails
 * without running anything and leaves the upstream's transaction exactly as a real error would
 * (failed inside a transaction block, untouched outside one), and its answer arrives in order with
 * everything sent before it.
 */
final class UpstreamRelay implements Runnable {
    /** What the session sent upstream, in order, for the relay to match answers against. */
    sealed interface Expected {
        /** A simple Query: answered up to ReadyForQuery. */
        record Query(Collected collected) implements Expected {}

        /** An extended Execute: answered by CommandComplete, EmptyQueryResponse, PortalSuspended or ErrorResponse. */
        record Execute(Collected collected) implements Expected {}

        /** The Execute of the nonexistent portal standing in for a refused statement; its error becomes {@code error}. */
        record Refusal(byte[] error) implements Expected {}

        /** A Sync: answered by ReadyForQuery. */
        record Sync() implements Expected {}
    }

    /** The tags and the first error of one execution; completes the execution record. */
    static final class Collected {
        private final List<String> tags = new ArrayList<>();
        private Optional<String> error = Optional.empty();
        private final CompletableFuture<ExecutionRecord> done = new CompletableFuture<>();

        CompletableFuture<ExecutionRecord> done() {
            return done;
        }

        private void complete() {
            String detail = String.join("; ", tags);
            done.complete(
                    error.isPresent()
                            ? ExecutionRecord.failed((detail.isEmpty() ? "" : detail + "; ") + "error: " + error.get())
                            : ExecutionRecord.succeeded(detail.isEmpty() ? "no command tag" : detail));
        }
    }

    private final DataInputStream upstream;
    private final ClientOut client;
    private final String refusalPortal;
    private final Runnable ended;
    private final ConcurrentLinkedQueue<Expected> expected = new ConcurrentLinkedQueue<>();

    /** {@code ended} runs when the upstream connection ends (the session must end with it). */
    UpstreamRelay(DataInputStream upstream, ClientOut client, String refusalPortal, Runnable ended) {
        this.upstream = requireNonNull(upstream, "upstream is null");
        this.client = requireNonNull(client, "client is null");
        this.refusalPortal = requireNonNull(refusalPortal, "refusalPortal is null");
        this.ended = requireNonNull(ended, "ended is null");
    }

    /** Registers what the session is about to send; call before sending it. */
    void expect(Expected next) {
        expected.add(next);
    }

    @Override
    public void run() {
        try {
            while (true) {
                Wire.Message message = Wire.read(upstream, Wire.MAX_UPSTREAM_MESSAGE);
                Wire.Message shown = answer(message);
                client.send(shown, upstream.available() == 0);
            }
        } catch (IOException | ProtocolViolation e) {
            // The upstream closed (the session ended, or the server went away): nothing more will be answered.
        } finally {
            for (Expected left = expected.poll(); left != null; left = expected.poll()) {
                failed(left, "the upstream connection ended before answering");
            }
            ended.run();
        }
    }

    private Wire.Message answer(Wire.Message message) {
        Expected head = expected.peek();
        switch (message.kind()) {
            case 'C', 'I', 's' -> {
                String tag = message.kind() == 'C'
                        ? commandTag(message.body())
                        : message.kind() == 'I' ? "EMPTY" : "SUSPENDED";
                if (head instanceof Expected.Query query) {
                    query.collected().tags.add(tag);
                } else if (head instanceof Expected.Execute execute) {
                    expected.poll();
                    execute.collected().tags.add(tag);
                    execute.collected().complete();
                }
                return message;
            }
            case 'E' -> {
                Notices.Fields fields = Notices.Fields.of(message.body());
                switch (head) {
                    case Expected.Query query ->
                        query.collected().error = query.collected().error.or(() -> Optional.of(fields.message()));
                    case Expected.Execute execute -> {
                        expected.poll();
                        execute.collected().error = Optional.of(fields.message());
                        execute.collected().complete();
                    }
                    case Expected.Refusal refusal -> {
                        expected.poll();
                        if ("34000".equals(fields.code()) && fields.message().contains(refusalPortal)) {
                            return new Wire.Message((byte) 'E', refusal.error());
                        }
                        // An earlier message of the batch failed first: the client sees that error, as it would
                        // directly.
                    }
                    case null, default -> {}
                }
                return message;
            }
            case 'Z' -> {
                // Everything up to the Sync (or Query) this answers is over; what never got an answer never ran.
                for (Expected next = expected.poll(); next != null; next = expected.poll()) {
                    if (next instanceof Expected.Query query) {
                        query.collected().complete();
                        break;
                    }
                    if (next instanceof Expected.Sync) {
                        break;
                    }
                    failed(next, "not run: an earlier message of its batch failed");
                }
                return message;
            }
            default -> {
                return message;
            }
        }
    }

    private static void failed(Expected left, String why) {
        Collected collected =
                switch (left) {
                    case Expected.Query query -> query.collected();
                    case Expected.Execute execute -> execute.collected();
                    default -> null;
                };
        if (collected != null && !collected.done.isDone()) {
            collected.error = collected.error.or(() -> Optional.of(why));
            collected.complete();
        }
    }

    private static String commandTag(byte[] body) {
        int end = body.length > 0 && body[body.length - 1] == 0 ? body.length - 1 : body.length;
        return new String(body, 0, end, StandardCharsets.UTF_8);
    }
}
