package io.countersign.proxy.postgres;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Frames of the PostgreSQL v3 protocol: a type byte, a 4-byte length that counts itself, the body. */
final class Wire {
    /**
     * The largest message a client may send. A length prefix above it ends the session before any
     * memory is taken for it (a 1 GB prefix costs nothing). Rows and COPY chunks are far smaller.
     */
    static final int MAX_CLIENT_MESSAGE = 16 * 1024 * 1024;
    /** Upstream messages are trusted more (the upstream is ours) but still bounded: a DataRow may be large. */
    static final int MAX_UPSTREAM_MESSAGE = 1024 * 1024 * 1024;

    static final int MAX_STARTUP = 10_000;
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;
    static final int PROTOCOL_3_0 = 196608;

    private Wire() {}

    /** One message of the normal phase. */
    record Message(byte type, byte[] body) {
        char kind() {
            return (char) type;
        }

        /** The whole frame, as it travels. */
        byte[] frame() {
            byte[] frame = new byte[5 + body.length];
            frame[0] = type;
            int length = body.length + 4;
            frame[1] = (byte) (length >>> 24);
            frame[2] = (byte) (length >>> 16);
            frame[3] = (byte) (length >>> 8);
            frame[4] = (byte) length;
            System.arraycopy(body, 0, frame, 5, body.length);
            return frame;
        }
    }

    /** @throws java.io.EOFException at the end of the stream, between or inside messages */
    static Message read(DataInputStream in, int max) throws IOException, ProtocolViolation {
        byte type = in.readByte();
        int length = in.readInt();
        if (length < 4 || length - 4 > max) {
            throw new ProtocolViolation("message '" + printable(type) + "' has length "
                    + Integer.toUnsignedString(length) + ", want 4 to " + (max + 4));
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message(type, body);
    }

    /** The startup-phase packet: a length that counts itself, then the code and the rest, with no type byte. */
    static byte[] readStartup(DataInputStream in) throws IOException, ProtocolViolation {
        int length = in.readInt();
        if (length < 8 || length > MAX_STARTUP) {
            throw new ProtocolViolation(
                    "startup packet has length " + Integer.toUnsignedString(length) + ", want 8 to " + MAX_STARTUP);
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return body;
    }

    static void write(OutputStream out, char type, byte[] body) throws IOException {
        out.write(new Message((byte) type, body).frame());
    }

    private static String printable(byte type) {
        return type >= 0x20 && type < 0x7f ? String.valueOf((char) type) : String.format("0x%02x", type);
    }

    /** Reads the fields of a message body; a field past the end is a protocol violation. */
    static final class Reader {
        private final byte[] body;
        private int at;

        Reader(byte[] body) {
            this.body = body;
        }

        int int32() throws ProtocolViolation {
            need(4);
            int value = ((body[at] & 0xff) << 24)
                    | ((body[at + 1] & 0xff) << 16)
                    | ((body[at + 2] & 0xff) << 8)
                    | (body[at + 3] & 0xff);
            at += 4;
            return value;
        }

        int int16() throws ProtocolViolation {
            need(2);
            int value = ((body[at] & 0xff) << 8) | (body[at + 1] & 0xff);
            at += 2;
            return value;
        }

        byte int8() throws ProtocolViolation {
            need(1);
            return body[at++];
        }

        String cstring() throws ProtocolViolation {
            int end = at;
            while (end < body.length && body[end] != 0) {
                end++;
            }
            if (end == body.length) {
                throw new ProtocolViolation("a string field has no terminating zero byte");
            }
            String value = new String(body, at, end - at, StandardCharsets.UTF_8);
            at = end + 1;
            return value;
        }

        byte[] bytes(int n) throws ProtocolViolation {
            if (n < 0) {
                throw new ProtocolViolation("a field has negative length " + n);
            }
            need(n);
            byte[] value = new byte[n];
            System.arraycopy(body, at, value, 0, n);
            at += n;
            return value;
        }

        int remaining() {
            return body.length - at;
        }

        void end() throws ProtocolViolation {
            if (at != body.length) {
                throw new ProtocolViolation((body.length - at) + " unexpected byte(s) after the message's fields");
            }
        }

        private void need(int n) throws ProtocolViolation {
            if (body.length - at < n) {
                throw new ProtocolViolation(
                        "the message ends inside a field (" + (body.length - at) + " byte(s) left, want " + n + ")");
            }
        }
    }

    /** Builds a message body. */
    static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Builder int32(int value) {
            out.write(value >>> 24);
            out.write(value >>> 16);
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Builder int16(int value) {
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Builder int8(int value) {
            out.write(value);
            return this;
        }

        Builder cstring(String value) {
            out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return this;
        }

        Builder bytes(byte[] value) {
            out.writeBytes(value);
            return this;
        }

        byte[] build() {
            return out.toByteArray();
        }
    }
}
