package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Asks the upstream, on the session's own connection and before a statement under a column mask
 * runs, which columns it will return: what a RowDescription says of each (table OID, attribute
 * number, type) is what the masker is planned from, so a result that can't be masked exactly is
 * refused before anything runs. The answers go to the {@link UpstreamRelay}, which keeps them from
 * the client.
 *
 * <p>An Execute's portal is described as it is ({@code Describe} of the portal and a
 * {@code Flush}: a Sync would end the client's implicit transaction and its unnamed portal). A
 * simple Query is parsed as the unnamed statement, described and closed, then synced: a simple
 * Query destroys the unnamed statement anyway, and closing it means no later Bind finds the
 * probe's. If the text doesn't parse, the error and ReadyForQuery the client sees are what the
 * Query itself would have answered (inside a transaction block, the block fails as it would).
 */
final class ResultProbe {
    private ResultProbe() {}

    /** What the probe learned. */
    sealed interface Answer {
        /** The statement returns these columns ({@link ResultColumns#NONE}: no rows). */
        record Described(ResultColumns columns) implements Answer {}

        /** No description; {@code shown} when the client has seen the upstream's error already. */
        record Failed(String message, boolean shown) implements Answer {}
    }

    /** A probe sent upstream, completed by the relay. */
    static final class Pending implements Expected {
        private final boolean synced;
        private final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private @Nullable ResultColumns columns;

        Pending(boolean synced) {
            this.synced = synced;
        }

        /** Whether the probe ends with a Sync of its own (a simple Query's), answered by a ReadyForQuery. */
        boolean synced() {
            return synced;
        }

        void described(ResultColumns described) {
            if (synced) {
                columns = described;
            } else {
                answer.complete(new Answer.Described(described));
            }
        }

        void fail(String message, boolean shown) {
            answer.complete(new Answer.Failed(message, shown));
        }

        /** The synced probe's ReadyForQuery: true when it was described (the client does not see this one). */
        boolean ready() {
            ResultColumns described = columns;
            if (described != null && answer.complete(new Answer.Described(described))) {
                return true;
            }
            answer.complete(new Answer.Failed("the statement could not be described", true));
            return false;
        }

        @Override
        public void failed(String why) {
            fail(why, false);
        }
    }

    /** Describes the portal of {@code execute}, after the messages that prepared it. */
    static Answer portal(UpstreamRelay relay, OutputStream upstream, Wire.Message execute)
            throws IOException, ProtocolViolation {
        String portal = new Wire.Reader(execute.body()).cstring();
        Pending probe = new Pending(false);
        if (relay.expect(probe)) {
            upstream.write(new Wire.Message(
                            (byte) 'D',
                            new Wire.Builder().int8('P').cstring(portal).build())
                    .frame());
            upstream.write(new Wire.Message((byte) 'H', new byte[0]).frame());
            upstream.flush();
        }
        return await(probe);
    }

    /** Describes the text of a simple Query without running it. */
    static Answer query(UpstreamRelay relay, OutputStream upstream, String sql) throws IOException {
        requireNonNull(sql, "sql is null");
        Pending probe = new Pending(true);
        if (relay.expect(probe)) {
            upstream.write(new Wire.Message(
                            (byte) 'P',
                            new Wire.Builder().cstring("").cstring(sql).int16(0).build())
                    .frame());
            upstream.write(new Wire.Message(
                            (byte) 'D', new Wire.Builder().int8('S').cstring("").build())
                    .frame());
            upstream.write(new Wire.Message(
                            (byte) 'C', new Wire.Builder().int8('S').cstring("").build())
                    .frame());
            upstream.write(new Wire.Message((byte) 'S', new byte[0]).frame());
            upstream.flush();
        }
        return await(probe);
    }

    private static Answer await(Pending probe) throws IOException {
        try {
            return probe.answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while describing the statement", e);
        } catch (ExecutionException e) {
            throw new IOException("describing the statement failed", e);
        }
    }
}
