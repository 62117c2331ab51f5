package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.proxy.AgentAuthenticator;
import io.countersign.proxy.Enforcement;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's session after login, as the protocol sees it: every Query and every Execute is
 * handed to the {@link StatementEnforcer} before it reaches the upstream; Parse, Bind, Describe,
 * Close, Flush, Sync and COPY data pass through (they run nothing by themselves), Parse, Bind,
 * Describe and Close held back until what they prepare is allowed. One upstream connection per
 * session, so transactions, {@code SET} and temporary tables behave as they would directly.
 */
final class ClientSession {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    private static final int MAX_NAMED = 10_000;

    private final SessionStartup.Started client;
    private final ClientOut out;
    private final UpstreamLogin.Connected upstream;
    private final UpstreamLogin login;
    private final UpstreamRelay relay;
    private final ColumnCatalog catalog;
    private final StatementEnforcer enforcer;
    private final int secret;
    private final Map<String, String> statements = new HashMap<>();
    private final Map<String, Bound> portals = new HashMap<>();
    /**
     * Parse, Bind, Describe and Close since the last Execute, Sync or Flush: held back until the
     * statement they prepare is allowed, so the upstream never sees the text of a refused statement
     * (not even in its error log, which quotes the statement a failed message belongs to).
     */
    private final List<Wire.Message> withheld = new ArrayList<>();

    private boolean skipping;
    private volatile boolean closed;

    private record Bound(String sql, List<Optional<String>> parameters) {}

    ClientSession(
            SessionStartup.Started client,
            UpstreamLogin.Connected upstream,
            UpstreamLogin login,
            Enforcement enforcement,
            AgentAuthenticator authenticator,
            StatementActions actions,
            String refusalPortal,
            int secret) {
        this.client = requireNonNull(client, "client is null");
        this.out = new ClientOut(client.out());
        this.upstream = requireNonNull(upstream, "upstream is null");
        this.login = requireNonNull(login, "login is null");
        this.secret = secret;
        this.relay = new UpstreamRelay(upstream.in(), out, refusalPortal, this::close);
        this.catalog = new ColumnCatalog(login);
        this.enforcer = new StatementEnforcer(
                client, out, upstream, relay, catalog, enforcement, authenticator, actions, refusalPortal, this::close);
    }

    int secret() {
        return secret;
    }

    /** Greets the client as the upstream would (its parameters, our key for cancels), then serves it until it leaves. */
    void serve(int pid) throws IOException, ProtocolViolation {
        for (Wire.Message status : upstream.parameters()) {
            out.send(status, false);
        }
        out.send('K', new Wire.Builder().int32(pid).int32(secret).build(), false);
        out.send('Z', new byte[] {'I'}, true);
        Thread.ofVirtual().name("pg-relay-" + pid).start(relay);
        OutputStream up = upstream.out();
        while (!closed) {
            Wire.Message message = Wire.read(client.in(), Wire.MAX_CLIENT_MESSAGE);
            switch (message.kind()) {
                case 'Q' -> query(message);
                case 'P' -> parse(message);
                case 'B' -> bind(message);
                case 'E' -> execute(message);
                case 'S' -> {
                    skipping = false;
                    writeWithheld();
                    relay.expect(new Expected.Sync());
                    up.write(message.frame());
                }
                case 'C' -> closeNamed(message);
                case 'D' -> passThrough(message);
                case 'H' -> {
                    if (!skipping) {
                        writeWithheld();
                        up.write(message.frame());
                    }
                }
                // COPY FROM STDIN data, after an approved COPY; outside a COPY the upstream ignores them.
                case 'd', 'c', 'f' -> up.write(message.frame());
                case 'F' -> {
                    withheld.clear();
                    enforcer.refuse(
                            Notices.error(
                                    Notices.FEATURE_NOT_SUPPORTED,
                                    "function calls by OID (the fastpath interface) are not supported through Countersign: call the function in SQL",
                                    Optional.empty(),
                                    Optional.empty()),
                            true);
                }
                case 'X' -> {
                    up.write(message.frame());
                    up.flush();
                    return;
                }
                default -> throw new ProtocolViolation("unexpected message '" + message.kind() + "' after login");
            }
            if (client.buffered().available() == 0) {
                up.flush();
            }
        }
    }

    private void passThrough(Wire.Message message) throws ProtocolViolation {
        if (!skipping) {
            if (withheld.size() >= MAX_NAMED) {
                throw new ProtocolViolation("more than " + MAX_NAMED + " messages without an Execute, Sync or Flush");
            }
            withheld.add(message);
        }
    }

    private void writeWithheld() throws IOException {
        for (Wire.Message message : withheld) {
            relay.expectAnswerTo(message);
            upstream.out().write(message.frame());
        }
        withheld.clear();
    }

    private void query(Wire.Message message) throws IOException, ProtocolViolation {
        Wire.Reader reader = new Wire.Reader(message.body());
        String sql = reader.cstring();
        reader.end();
        // A simple Query destroys the unnamed statement and portal: a later Bind or Execute of them is the upstream's
        // error.
        statements.remove("");
        portals.remove("");
        if (sql.isBlank()) {
            // Nothing runs; the upstream answers EmptyQueryResponse as it would directly.
            upstream.out().write(message.frame());
            relay.expect(new Expected.Query(new Collected()));
            return;
        }
        enforce(sql, Optional.empty(), message, Expected.Query::new, true);
    }

    private void parse(Wire.Message message) throws IOException, ProtocolViolation {
        Wire.Reader reader = new Wire.Reader(message.body());
        String name = reader.cstring();
        String sql = reader.cstring();
        if (!skipping) {
            if (!name.isEmpty() && !statements.containsKey(name) && statements.size() >= MAX_NAMED) {
                throw new ProtocolViolation("more than " + MAX_NAMED + " prepared statements in one session");
            }
            statements.put(name, sql);
        }
        passThrough(message);
    }

    private void bind(Wire.Message message) throws IOException, ProtocolViolation {
        Wire.Reader reader = new Wire.Reader(message.body());
        String portal = reader.cstring();
        String statement = reader.cstring();
        int formatCount = reader.int16();
        int[] formats = new int[formatCount];
        for (int i = 0; i < formatCount; i++) {
            formats[i] = reader.int16();
        }
        int count = reader.int16();
        List<Optional<String>> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = reader.int32();
            if (length == -1) {
                values.add(Optional.empty());
                continue;
            }
            byte[] value = reader.bytes(length);
            int format = formatCount == 0 ? 0 : formatCount == 1 ? formats[0] : i < formatCount ? formats[i] : 0;
            // Binary values are shown as bytea's hex form: what was bound, exactly.
            values.add(Optional.of(
                    format == 0
                            ? new String(value, StandardCharsets.UTF_8)
                            : "\\x" + HexFormat.of().formatHex(value)));
        }
        if (!skipping) {
            String sql = statements.get(statement);
            if (sql != null) {
                if (!portal.isEmpty() && !portals.containsKey(portal) && portals.size() >= MAX_NAMED) {
                    throw new ProtocolViolation("more than " + MAX_NAMED + " portals in one session");
                }
                portals.put(portal, new Bound(sql, values));
            }
        }
        passThrough(message);
    }

    private void closeNamed(Wire.Message message) throws IOException, ProtocolViolation {
        Wire.Reader reader = new Wire.Reader(message.body());
        byte kind = reader.int8();
        String name = reader.cstring();
        if (!skipping) {
            (kind == 'S' ? statements : portals).remove(name);
        }
        passThrough(message);
    }

    private void execute(Wire.Message message) throws IOException, ProtocolViolation {
        if (skipping) {
            return;
        }
        Wire.Reader reader = new Wire.Reader(message.body());
        String portal = reader.cstring();
        reader.int32();
        reader.end();
        Bound bound = portals.get(portal);
        if (bound == null) {
            // The upstream answers "portal does not exist"; nothing runs.
            writeWithheld();
            upstream.out().write(message.frame());
            relay.expect(new Expected.Execute(new Collected()));
            return;
        }
        if (portal.isEmpty()) {
            // The unnamed portal runs once; a second Execute of it needs a new Bind, and a new decision.
            portals.remove(portal);
        }
        enforce(bound.sql(), Optional.of(bound.parameters()), message, Expected.Execute::new, false);
    }

    /** Decides the statement through the seam; the withheld messages and the statement go upstream only when approved. */
    private void enforce(
            String sql,
            Optional<List<Optional<String>>> parameters,
            Wire.Message message,
            Function<Collected, Expected> expected,
            boolean simple)
            throws IOException {
        List<Wire.Message> preparing = List.copyOf(withheld);
        withheld.clear();
        if (enforcer.enforce(sql, parameters, preparing, message, expected, simple) == StatementEnforcer.Result.REFUSED
                && !simple) {
            skipping = true;
        }
    }

    /** A CancelRequest for this session: withdraws a held statement, or asks the upstream to cancel what runs. */
    void cancel() {
        if (enforcer.cancelIfHeld()) {
            return;
        }
        Thread.ofVirtual().start(() -> {
            try {
                login.cancel(upstream.backendPid(), upstream.backendSecret());
            } catch (IOException e) {
                LOG.warn("postgres proxy: forwarding a cancel to the upstream failed: {}", e.getMessage());
            }
        });
    }

    /** Ends the session: both connections close; a held statement sees it and is cancelled. */
    void close() {
        closed = true;
        enforcer.sessionEnded();
        catalog.close();
        try {
            client.socket().close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            upstream.socket().close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    void fatal(String code, String message) {
        try {
            out.send('E', Notices.fatal(code, message), true);
        } catch (IOException e) {
            // The client is gone; nothing to tell.
        }
    }
}
