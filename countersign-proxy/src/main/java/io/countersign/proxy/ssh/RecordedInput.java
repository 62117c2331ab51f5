package io.countersign.proxy.ssh;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** What the agent types, passed upstream and written into the session's recording as it goes. */
final class RecordedInput extends FilterInputStream {
    private final Recording recording;

    RecordedInput(InputStream agent, Recording recording) {
        super(agent);
        this.recording = recording;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n = in.read(bytes, offset, length);
        if (n > 0) {
            recording.input(bytes, offset, n);
        }
        return n;
    }
}
