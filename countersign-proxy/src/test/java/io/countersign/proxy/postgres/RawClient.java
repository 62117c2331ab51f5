package io.countersign.proxy.postgres;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A PostgreSQL client at the byte level, for what real drivers never send, and to capture every byte the proxy sends. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** Every byte received, for checking that no secret is among them. */
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    record Message(char type, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        InputStream raw = socket.getInputStream();
        in = new DataInputStream(new InputStream() {
            @Override
            public int read() throws IOException {
                int b = raw.read();
                if (b >= 0) {
                    received.write(b);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = raw.read(buffer, offset, length);
                if (n > 0) {
                    received.write(buffer, offset, n);
                }
                return n;
            }
        });
        out = socket.getOutputStream();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void startup(String... keyValues) throws IOException {
        Wire.Builder body = new Wire.Builder().int32(Wire.PROTOCOL_3_0);
        for (String part : keyValues) {
            body.cstring(part);
        }
        byte[] bytes = body.int8(0).build();
        send(new Wire.Builder().int32(bytes.length + 4).bytes(bytes).build());
    }

    void message(char type, byte[] body) throws IOException {
        send(new Wire.Message((byte) type, body).frame());
    }

    void query(String sql) throws IOException {
        message('Q', new Wire.Builder().cstring(sql).build());
    }

    /** Logs in as {@code agent} with {@code key} and reads up to the first ReadyForQuery. */
    List<Message> login(String agent, String key) throws IOException {
        startup("user", agent, "database", "app");
        Message request = read();
        if (request.type() != 'R') {
            throw new IOException("expected an authentication request, got " + request.type() + ": " + request.text());
        }
        message('p', new Wire.Builder().cstring(key).build());
        return untilReady();
    }

    Message read() throws IOException {
        char type = (char) in.readUnsignedByte();
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message(type, body);
    }

    /** Messages up to and including ReadyForQuery, or up to the end of the stream. */
    List<Message> untilReady() throws IOException {
        List<Message> messages = new ArrayList<>();
        try {
            while (true) {
                Message message = read();
                messages.add(message);
                if (message.type() == 'Z') {
                    return messages;
                }
            }
        } catch (EOFException e) {
            return messages;
        }
    }

    /** The single byte answering an SSLRequest or GSSENCRequest. */
    int readByte() throws IOException {
        return in.read();
    }

    /** Whether the proxy closed the connection (reads to the end, collecting what came). */
    List<Message> readToEnd() throws IOException {
        List<Message> messages = new ArrayList<>();
        try {
            while (true) {
                messages.add(read());
            }
        } catch (EOFException | java.net.SocketException e) {
            return messages;
        }
    }

    static Optional<String> sqlState(List<Message> messages) {
        return messages.stream().filter(m -> m.type() == 'E').findFirst().map(m -> Notices.Fields.of(m.body())
                .code());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
