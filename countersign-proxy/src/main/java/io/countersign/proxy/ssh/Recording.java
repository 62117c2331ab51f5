package io.countersign.proxy.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An interactive session recorded as an asciicast v2 file: a header line, then one JSON array per
 * event, {@code [seconds, "o", text]} for what the upstream showed and {@code [seconds, "i", text]}
 * for what the agent typed. Bytes are decoded as UTF-8 per stream, so a character split across two
 * reads is one event's text, not two replacement characters. The SHA-256 of the file as written is
 * what the audit log keeps.
 */
final class Recording implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.shared();

    private final Path file;
    private final DigestOutputStream out;
    private final Clock clock;
    private final long startNanos = System.nanoTime();
    private final Utf8Text outputText = new Utf8Text();
    private final Utf8Text inputText = new Utf8Text();
    private long size;
    private boolean closed;

    private Recording(Path file, DigestOutputStream out, Clock clock) {
        this.file = file;
        this.out = out;
        this.clock = clock;
    }

    /** Creates {@code file} (never overwriting one) and writes the header. */
    static Recording start(Path file, int width, int height, Optional<String> term, String title, Clock clock)
            throws IOException {
        Files.createDirectories(file.getParent());
        OutputStream raw = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Recording recording = new Recording(file, new DigestOutputStream(raw, sha256()), clock);
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        header.put("version", 2);
        header.put("width", width);
        header.put("height", height);
        header.put("timestamp", clock.instant().getEpochSecond());
        header.put("title", title);
        ObjectNode env = header.putObject("env");
        term.ifPresent(t -> env.put("TERM", t));
        recording.line(JSON.writeValueAsString(header));
        return recording;
    }

    Path file() {
        return file;
    }

    void output(byte[] bytes, int offset, int length) {
        event("o", outputText, bytes, offset, length);
    }

    void input(byte[] bytes, int offset, int length) {
        event("i", inputText, bytes, offset, length);
    }

    void resize(int width, int height) {
        write("r", width + "x" + height);
    }

    private void event(String code, Utf8Text decoder, byte[] bytes, int offset, int length) {
        String text;
        synchronized (this) {
            text = decoder.decode(bytes, offset, length);
        }
        if (!text.isEmpty()) {
            write(code, text);
        }
    }

    private synchronized void write(String code, String data) {
        if (closed) {
            return;
        }
        ArrayNode event = JsonNodeFactory.instance.arrayNode();
        event.add(Math.round((System.nanoTime() - startNanos) / 1_000.0) / 1_000_000.0);
        event.add(code);
        event.add(data);
        line(JSON.writeValueAsString(event));
    }

    private void line(String json) {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(bytes);
            out.flush();
            size += bytes.length;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the session recording " + file, e);
        }
    }

    /** Closes the file; its size and SHA-256, for the audit log. */
    synchronized String summary() {
        close();
        return "recording " + file.getFileName() + " " + size + " bytes sha256 "
                + HexFormat.of().formatHex(out.getMessageDigest().digest());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the session recording " + file, e);
        }
    }

    /** One stream's bytes as text: the first bytes of a character split across reads wait for the rest. */
    private static final class Utf8Text {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        private byte[] pending = new byte[0];

        String decode(byte[] bytes, int offset, int length) {
            byte[] all = new byte[pending.length + length];
            System.arraycopy(pending, 0, all, 0, pending.length);
            System.arraycopy(bytes, offset, all, pending.length, length);
            ByteBuffer in = ByteBuffer.wrap(all);
            CharBuffer chars = CharBuffer.allocate(all.length);
            decoder.reset();
            decoder.decode(in, chars, false);
            pending = new byte[in.remaining()];
            in.get(pending);
            chars.flip();
            return chars.toString();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
