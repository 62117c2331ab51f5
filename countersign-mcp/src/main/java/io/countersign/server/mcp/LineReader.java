package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Newline-delimited messages from a stream, each at most {@code maxBytes}: a longer one is read
 * through to its end without being kept, and only its first and last {@link #KEPT} bytes are
 * returned, enough to find its JSON-RPC id. A UTF-8 line break is the byte 0x0A and never part of a
 * multi-byte character, so splitting on bytes is exact.
 */
final class LineReader {
    static final int KEPT = 512;

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;

    LineReader(InputStream in, int maxBytes) {
        this.in = requireNonNull(in, "in is null");
        if (maxBytes < KEPT) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " is under " + KEPT);
        }
        this.maxBytes = maxBytes;
    }

    /** One line: whole, or too long to keep. */
    sealed interface Line permits Line.Whole, Line.Oversized {
        record Whole(String text) implements Line {}

        /** A line of {@code bytes} bytes, of which only the start and the end are kept. */
        record Oversized(long bytes, String head, String tail) implements Line {}
    }

    /** The next line, without its line break; {@code null} at the end of the stream (a last line without a break counts). */
    @org.jspecify.annotations.Nullable
    Line next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] head = null;
        byte[] tail = new byte[KEPT];
        int tailLength = 0;
        long total = 0;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (total == 0) {
                        return null;
                    }
                    break;
                }
            }
            int start = position;
            int end = start;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            int length = end - start;
            total += length;
            if (head == null && total > maxBytes) {
                // Over the limit with this chunk: keep the start (what was read, and this chunk) and go on with the
                // tail only.
                ByteArrayOutputStream kept = requireNonNull(line);
                kept.write(buffer, start, Math.min(length, KEPT));
                byte[] bytes = kept.toByteArray();
                head = Arrays.copyOf(bytes, Math.min(KEPT, bytes.length));
                tailLength = keepTail(tail, 0, bytes, 0, bytes.length - Math.min(length, KEPT));
                tailLength = keepTail(tail, tailLength, buffer, start, length);
                line = null;
            } else if (head == null) {
                requireNonNull(line).write(buffer, start, length);
            } else {
                tailLength = keepTail(tail, tailLength, buffer, start, length);
            }
            position = end < limit ? end + 1 : end;
            if (end < limit) {
                break;
            }
        }
        if (head == null) {
            return new Line.Whole(requireNonNull(line).toString(StandardCharsets.UTF_8));
        }
        return new Line.Oversized(
                total,
                new String(head, StandardCharsets.UTF_8),
                new String(tail, 0, tailLength, StandardCharsets.UTF_8));
    }

    /** Appends {@code bytes} to the last {@link #KEPT} bytes kept in {@code tail}; returns how many it now holds. */
    private static int keepTail(byte[] tail, int tailLength, byte[] bytes, int offset, int length) {
        if (length >= KEPT) {
            System.arraycopy(bytes, offset + length - KEPT, tail, 0, KEPT);
            return KEPT;
        }
        int keep = Math.min(tailLength, KEPT - length);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        System.arraycopy(bytes, offset, tail, keep, length);
        return keep + length;
    }
}
