package io.countersign.server.audit.verify;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** Reads LF-terminated lines as exact bytes, fast: one buffer, no decoding, no per-byte calls. */
final class LineReader implements AutoCloseable {
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 20];
    private int position;
    private int limit;
    private long lineNumber;
    private boolean lastLineUnterminated;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** The next line without its LF; null at the end of the input. */
    byte @Nullable [] next() throws IOException {
        byte[] partial = null;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (partial != null) {
                        lastLineUnterminated = true;
                        lineNumber++;
                    }
                    return partial;
                }
            }
            int newline = -1;
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            byte[] chunk = Arrays.copyOfRange(buffer, position, end);
            partial = partial == null ? chunk : concat(partial, chunk);
            position = newline < 0 ? limit : newline + 1;
            if (newline >= 0) {
                lineNumber++;
                return partial;
            }
        }
    }

    /** The number of the line {@link #next} returned last, from 1. */
    long lineNumber() {
        return lineNumber;
    }

    /** Whether the input ended without a final LF. */
    boolean lastLineUnterminated() {
        return lastLineUnterminated;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
