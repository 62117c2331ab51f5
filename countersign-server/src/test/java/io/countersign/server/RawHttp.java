package io.countersign.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, for requests {@link java.net.http.HttpClient} refuses to send: a
 * bad %-encoding, two Content-Lengths, a broken chunk, no Host. The request is written as given,
 * the socket half-closed (so a body shorter than its Content-Length ends at once), and the first
 * answer read to the end.
 */
final class RawHttp {
    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** Status 0 means the server closed the connection without an answer. */
    record Answer(int status, String contentType, String head, String body) {
        Optional<String> header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return Optional.of(line.substring(colon + 1).trim());
                }
            }
            return Optional.empty();
        }
    }

    Answer send(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException closedEarly) {
                // The server may answer and close before it read all we meant to send (a 413, a 431).
            }
            byte[] answer = readAll(socket.getInputStream());
            return parse(answer);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no end of the answer within 20 s; got " + bytes.size() + " bytes", e);
        } catch (IOException reset) {
            // A reset after the answer (the server closed with unread input) still leaves the answer.
        }
        return bytes.toByteArray();
    }

    private static Answer parse(byte[] answer) {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) {
            return new Answer(0, "", text, "");
        }
        String head = text.substring(0, end);
        int status = Integer.parseInt(head.substring(9, 12));
        String contentType = "";
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                contentType = line.substring(13).trim();
            }
        }
        String body = new String(answer, end + 4, answer.length - end - 4, StandardCharsets.UTF_8);
        return new Answer(status, contentType, head, body);
    }
}
