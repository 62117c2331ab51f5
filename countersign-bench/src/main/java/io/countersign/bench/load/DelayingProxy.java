package io.countersign.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that holds every chunk it forwards for a fixed time in each direction,
 * so a client on one machine sees the round trip of a database across a network (1 ms each way
 * is a 2 ms round trip). Chunks keep their order: each direction of a connection has one queue
 * and one thread that writes each chunk once its time has come. Bandwidth is not limited. Platform
 * threads, so the gateways' virtual threads in the same process don't delay the delays.
 */
final class DelayingProxy implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    /** Bytes read at {@code dueNanos - delay}, to be written at {@code dueNanos}; an empty one ends the direction. */
    private record Chunk(long dueNanos, byte[] bytes) {}

    private final InetSocketAddress target;
    private final long delayNanos;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** Listens on 127.0.0.1 (a free port) and forwards to {@code target}, {@code delayMicros} each way. */
    DelayingProxy(InetSocketAddress target, long delayMicros) throws IOException {
        this.target = requireNonNull(target, "target is null");
        this.delayNanos = delayMicros * 1_000;
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.acceptor =
                Thread.ofPlatform().daemon().name("delaying-proxy-accept").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 2_000);
                for (Socket socket : List.of(client, server)) {
                    socket.setTcpNoDelay(true);
                    sockets.add(socket);
                }
                forward(client, server);
                forward(server, client);
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("delaying proxy: a connection failed: " + e.getMessage());
                }
            }
        }
    }

    /** One direction: a reader that stamps each chunk with its time, and a writer that waits for it. */
    private void forward(Socket from, Socket to) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[CHUNK];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                // the connection ended; the writer closes the other side once it delivered what came before
            }
            queue.add(new Chunk(System.nanoTime() + delayNanos, new byte[0]));
        });
        Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk chunk = queue.take();
                    long wait;
                    while ((wait = chunk.dueNanos() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (chunk.bytes().length == 0) {
                        return;
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the other side went away; closing both below ends the reader too
            } finally {
                closeQuietly(to);
                closeQuietly(from);
            }
        });
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.remove(socket);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(this::closeQuietly);
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
