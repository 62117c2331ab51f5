package io.countersign.proxy.ssh;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One of the agent's output streams as the upstream writes it: passed on at once (flushed, so a
 * long-running command streams), counted and hashed for the execution record, and teed into the
 * session's recording when there is one.
 */
final class MeteredOutput extends FilterOutputStream {
    private final MessageDigest digest = Recording.sha256();
    private final Optional<Recording> recording;
    private long size;

    MeteredOutput(OutputStream agent, Optional<Recording> recording) {
        super(agent);
        this.recording = recording;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        digest.update(bytes, offset, length);
        size += length;
        recording.ifPresent(r -> r.output(bytes, offset, length));
        out.write(bytes, offset, length);
        out.flush();
    }

    /** {@code 12 bytes sha256 ab…}: what the audit log keeps of this stream. */
    synchronized String summary() {
        return size + " bytes sha256 " + HexFormat.of().formatHex(digest.digest());
    }

    /** Closing is the channel's business: the exit status must still follow the output. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
