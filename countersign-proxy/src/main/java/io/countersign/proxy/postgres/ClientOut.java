package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/** The client's side of the socket, written by the session (notices, its own errors) and by the relay (the upstream's answers): whole messages only. */
final class ClientOut {
    private final ReentrantLock lock = new ReentrantLock();
    private final OutputStream out;

    ClientOut(OutputStream out) {
        this.out = requireNonNull(out, "out is null");
    }

    void send(char type, byte[] body, boolean flush) throws IOException {
        send(new Wire.Message((byte) type, body), flush);
    }

    void send(Wire.Message message, boolean flush) throws IOException {
        lock.lock();
        try {
            out.write(message.frame());
            if (flush) {
                out.flush();
            }
        } finally {
            lock.unlock();
        }
    }

    void flush() throws IOException {
        lock.lock();
        try {
            out.flush();
        } finally {
            lock.unlock();
        }
    }
}
