package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.proxy.AgentAuthenticator;
import io.countersign.proxy.Enforcement;
import io.countersign.proxy.Hold;
import io.countersign.proxy.Login;
import io.countersign.proxy.Outcome;
import io.countersign.proxy.Upstream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
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
 * One agent's session after login: every Query and every Execute is enforced through the seam
 * before it reaches the upstream; Parse, Bind, Describe, Close, Flush, Sync and COPY data pass
 * through (they run nothing by themselves). One upstream connection per session, so transactions,
 * {@code SET} and temporary tables behave as they would directly.
 */
final class ClientSession {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    private static final int MAX_NAMED = 10_000;
    /**
     * How often the agent's key is checked again during a session: a revoked or expired key stops
     * the session within this time. Not before every statement, because a key check reads the
     * store (12 to 35 ms each on the loaded development machine).
     */
    private static final long RECHECK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final SessionStartup.Started client;
    private final ClientOut out;
    private final UpstreamLogin.Connected upstream;
    private final UpstreamLogin login;
    private final Enforcement enforcement;
    private final AgentAuthenticator authenticator;
    private final StatementActions actions;
    private final String refusalPortal;
    private final UpstreamRelay relay;
    private final int secret;
    private final Map<String, String> statements = new HashMap<>();
    private final Map<String, Bound> portals = new HashMap<>();
    /**
     * Parse, Bind, Describe and Close since the last Execute, Sync or Flush: held back until the
     * statement they prepare is allowed, so the upstream never sees the text of a refused statement
     * (not even in its error log, which quotes the statement a failed message belongs to).
     */
    private final List<Wire.Message> withheld = new ArrayList<>();

    private Login.Admitted agent;
    private long lastChecked = System.nanoTime();
    private boolean skipping;
    private volatile boolean holding;
    private volatile boolean cancelRequested;
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
        this.enforcement = requireNonNull(enforcement, "enforcement is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.actions = requireNonNull(actions, "actions is null");
        this.refusalPortal = requireNonNull(refusalPortal, "refusalPortal is null");
        this.agent = client.agent();
        this.secret = secret;
        this.relay = new UpstreamRelay(upstream.in(), out, refusalPortal, this::close);
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
                    relay.expect(new UpstreamRelay.Expected.Sync());
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
                    refuse(
                            new Wire.Message((byte) 'F', message.body()),
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
            upstream.out().write(message.frame());
        }
        withheld.clear();
    }

    private void query(Wire.Message message) throws IOException, ProtocolViolation {
        Wire.Reader reader = new Wire.Reader(message.body());
        String sql = reader.cstring();
        reader.end();
        if (sql.isBlank()) {
            // Nothing runs; the upstream answers EmptyQueryResponse as it would directly.
            upstream.out().write(message.frame());
            relay.expect(new UpstreamRelay.Expected.Query(new UpstreamRelay.Collected()));
            return;
        }
        enforce(sql, Optional.empty(), message, UpstreamRelay.Expected.Query::new, true);
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
            relay.expect(new UpstreamRelay.Expected.Execute(new UpstreamRelay.Collected()));
            return;
        }
        if (portal.isEmpty()) {
            // The unnamed portal runs once; a second Execute of it needs a new Bind, and a new decision.
            portals.remove(portal);
        }
        enforce(bound.sql(), Optional.of(bound.parameters()), message, UpstreamRelay.Expected.Execute::new, false);
    }

    /** Decides the statement through the seam; the message goes upstream only from inside the seam, once, when approved. */
    private void enforce(
            String sql,
            Optional<List<Optional<String>>> parameters,
            Wire.Message message,
            Function<UpstreamRelay.Collected, UpstreamRelay.Expected> expected,
            boolean simple)
            throws IOException {
        if (System.nanoTime() - lastChecked >= RECHECK_NANOS) {
            Login login = authenticator.authenticate(client.user(), client.key());
            if (login instanceof Login.Refused refused) {
                out.send(
                        'E',
                        Notices.fatal(
                                Notices.INVALID_AUTHORIZATION,
                                "agent \"" + client.user() + "\" may no longer connect: " + refused.reason()),
                        true);
                close();
                return;
            }
            agent = (Login.Admitted) login;
            lastChecked = System.nanoTime();
        }
        List<Action> decided = actions.of(sql, parameters);
        List<Wire.Message> preparing = List.copyOf(withheld);
        withheld.clear();
        upstream.out().flush();
        cancelRequested = false;
        holding = true;
        Outcome outcome;
        try {
            outcome = enforcement.enforce(agent, decided, hold(), () -> {
                UpstreamRelay.Collected collected = new UpstreamRelay.Collected();
                relay.expect(expected.apply(collected));
                try {
                    for (Wire.Message prepared : preparing) {
                        upstream.out().write(prepared.frame());
                    }
                    upstream.out().write(message.frame());
                } catch (IOException e) {
                    throw new Upstream.UpstreamFailure("sending the statement upstream failed: " + e.getMessage(), e);
                }
                return collected.done();
            });
        } finally {
            holding = false;
        }
        switch (outcome) {
            case Outcome.Executed executed -> {}
            case Outcome.UpstreamFailed failed -> throw new IOException(failed.message());
            case Outcome.Refused refused -> {
                boolean cancelled = refused.reason() == Outcome.Reason.AGENT_GONE && cancelRequested;
                String detail = refused.request().map(id -> "request " + id).orElse("no request")
                        + (refused.rules().isEmpty() ? "" : "; rule " + String.join(", ", refused.rules()));
                byte[] error = cancelled
                        ? Notices.error(
                                Notices.QUERY_CANCELED,
                                "canceling statement due to user request; " + refused.message(),
                                Optional.of(detail),
                                Optional.empty())
                        : Notices.error(
                                Notices.INSUFFICIENT_PRIVILEGE,
                                refused.message(),
                                Optional.of(detail),
                                Optional.empty());
                refuse(message, error, simple);
            }
        }
    }

    /**
     * Answers a refused message with {@code error}, through the upstream (see {@link UpstreamRelay}):
     * an Execute of a portal that does not exist stands in for it. In the extended protocol the
     * rest of the batch is skipped up to the client's Sync, as after a real error.
     */
    private void refuse(Wire.Message refused, byte[] error, boolean simple) throws IOException {
        OutputStream up = upstream.out();
        relay.expect(new UpstreamRelay.Expected.Refusal(error));
        up.write(new Wire.Message(
                        (byte) 'E',
                        new Wire.Builder().cstring(refusalPortal).int32(0).build())
                .frame());
        if (simple || refused.kind() == 'F') {
            relay.expect(new UpstreamRelay.Expected.Sync());
            up.write(new Wire.Message((byte) 'S', new byte[0]).frame());
        } else {
            skipping = true;
        }
        up.flush();
    }

    private Hold hold() {
        return new Hold() {
            @Override
            public void held(List<Pending> pending) {
                for (Pending request : pending) {
                    // The page is in the message itself: some clients show only the message of a notice.
                    String text = "Countersign holds this statement for approval: request " + request.id() + " ("
                            + request.action() + " on " + request.resource() + "): " + request.reason()
                            + ". Approve or deny it at " + request.consoleUrl();
                    try {
                        out.send(
                                'N',
                                Notices.notice(
                                        text,
                                        Optional.of("The statement runs once, when approved. "
                                                + "Cancelling the statement or disconnecting withdraws the request.")),
                                true);
                    } catch (IOException e) {
                        // The client went away; gone() says so on the next check.
                    }
                }
            }

            @Override
            public Optional<String> gone() {
                if (cancelRequested) {
                    return Optional.of("the client cancelled the statement");
                }
                if (closed) {
                    return Optional.of("the session ended");
                }
                return presence();
            }
        };
    }

    /** Whether the client is still connected while its statement is held: a closed socket or a Terminate means it left. */
    private Optional<String> presence() {
        try {
            if (client.buffered().available() == 0) {
                client.socket().setSoTimeout(1);
            }
            client.buffered().mark(1);
            int next = client.buffered().read();
            if (next == -1) {
                return Optional.of("the client disconnected");
            }
            client.buffered().reset();
            return next == 'X' ? Optional.of("the client sent Terminate") : Optional.empty();
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("the client's connection failed: " + e.getMessage());
        } finally {
            try {
                client.socket().setSoTimeout(0);
            } catch (IOException e) {
                // The socket is closed: the next check says so.
            }
        }
    }

    /** A CancelRequest for this session: withdraws a held statement, or asks the upstream to cancel what runs. */
    void cancel() {
        if (holding) {
            cancelRequested = true;
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
