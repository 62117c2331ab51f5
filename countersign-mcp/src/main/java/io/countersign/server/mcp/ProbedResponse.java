package io.countersign.server.mcp;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A stateless {@code /mcp} answer that can tell whether the agent is still connected while its
 * call is held. Over HTTP/1.1 a server learns that a client closed the connection only by writing
 * to it, and the answer is one JSON object, which may start with whitespace (RFC 8259): so each
 * probe commits a 200 {@code application/json} answer and writes one space. The first write after
 * the client has gone is refused by its side, and the next one fails. The SDK's answer follows the
 * spaces on the same stream.
 */
final class ProbedResponse extends HttpServletResponseWrapper implements CallsInFlight.Probe {
    private boolean started;
    private Optional<PrintWriter> writer = Optional.empty();

    ProbedResponse(HttpServletResponse response) {
        super(response);
    }

    @Override
    public synchronized void check() throws IOException {
        if (!started) {
            setStatus(200);
            setContentType("application/json");
            setCharacterEncoding("UTF-8");
            started = true;
        }
        ServletOutputStream out = super.getOutputStream();
        out.write(' ');
        out.flush();
    }

    @Override
    public String failure() {
        return "the agent's HTTP connection closed";
    }

    /** A writer on the same stream as the probes (a servlet response has one or the other). */
    @Override
    public synchronized PrintWriter getWriter() throws IOException {
        if (writer.isEmpty()) {
            setCharacterEncoding("UTF-8");
            writer = Optional.of(
                    new PrintWriter(new OutputStreamWriter(super.getOutputStream(), StandardCharsets.UTF_8), false));
        }
        return writer.get();
    }

    /** Sends what the SDK wrote through {@link #getWriter}, which buffers. */
    synchronized void finish() {
        writer.ifPresent(PrintWriter::flush);
    }

    @Override
    public void flushBuffer() throws IOException {
        finish();
        super.flushBuffer();
    }
}
