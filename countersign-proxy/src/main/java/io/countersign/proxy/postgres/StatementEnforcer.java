package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.policy.ColumnMask;
import io.countersign.proxy.AgentAuthenticator;
import io.countersign.proxy.Enforcement;
import io.countersign.proxy.ExecutionRecord;
import io.countersign.proxy.Hold;
import io.countersign.proxy.Login;
import io.countersign.proxy.Outcome;
import io.countersign.proxy.Recording;
import io.countersign.proxy.Upstream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One session's statements through the {@link Enforcement} seam: the agent's key checked again,
 * the statement decided (held while a human decides, with a notice at once), sent upstream only
 * from inside the seam, once, when approved; a refusal answered as the error the client sees. The
 * protocol bookkeeping (prepared statements, portals, what is withheld) stays in
 * {@link ClientSession}.
 */
final class StatementEnforcer {
    /**
     * How often the agent's key is checked again during a session: a revoked or expired key stops
     * the session within this time. Not before every statement, because a key check reads the
     * store (12 to 35 ms each on the loaded development machine).
     */
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What became of one statement, for the session's protocol state. */
    enum Result {
        /** Sent upstream; its answer comes through the relay. */
        SENT,
        /** Refused and answered; in the extended protocol the rest of the batch is skipped up to Sync. */
        REFUSED,
        /** The agent's key is no longer usable: the session was ended with a FATAL error. */
        ENDED
    }

    private final SessionStartup.Started client;
    private final ClientOut out;
    private final UpstreamLogin.Connected upstream;
    private final UpstreamRelay relay;
    private final Enforcement enforcement;
    private final AgentAuthenticator authenticator;
    private final StatementActions actions;
    private final String refusalPortal;
    private final Runnable endSession;
    private final StatementSender sender;

    private Login.Admitted agent;
    private long lastChecked = System.nanoTime();
    /** Set when a statement the seam let run was refused before it ran (its result can't be masked). */
    private boolean refusedBeforeRunning;

    private volatile boolean holding;
    private volatile boolean cancelRequested;
    private volatile boolean ended;

    StatementEnforcer(
            SessionStartup.Started client,
            ClientOut out,
            UpstreamLogin.Connected upstream,
            UpstreamRelay relay,
            ColumnCatalog catalog,
            Enforcement enforcement,
            AgentAuthenticator authenticator,
            StatementActions actions,
            String refusalPortal,
            Runnable endSession) {
        this.client = requireNonNull(client, "client is null");
        this.out = requireNonNull(out, "out is null");
        this.upstream = requireNonNull(upstream, "upstream is null");
        this.relay = requireNonNull(relay, "relay is null");
        this.enforcement = requireNonNull(enforcement, "enforcement is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.actions = requireNonNull(actions, "actions is null");
        this.refusalPortal = requireNonNull(refusalPortal, "refusalPortal is null");
        this.endSession = requireNonNull(endSession, "endSession is null");
        this.agent = client.agent();
        this.sender = new StatementSender(upstream.out(), relay, catalog, this::refuse);
    }

    /**
     * Decides {@code sql} (with its bound {@code parameters}, if any) and, when approved, sends
     * {@code preparing} (the Parse, Bind and Describe withheld for it) and {@code message} upstream.
     */
    Result enforce(
            String sql,
            Optional<List<Optional<String>>> parameters,
            List<Wire.Message> preparing,
            Wire.Message message,
            Function<Collected, Expected> expected,
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
                endSession.run();
                return Result.ENDED;
            }
            agent = (Login.Admitted) login;
            lastChecked = System.nanoTime();
        }
        List<Action> decided = actions.of(sql, parameters);
        upstream.out().flush();
        cancelRequested = false;
        refusedBeforeRunning = false;
        holding = true;
        Outcome outcome;
        try {
            outcome = enforcement.enforce(
                    agent,
                    decided,
                    hold(),
                    new Upstream() {
                        @Override
                        public CompletionStage<ExecutionRecord> execute() {
                            throw new IllegalStateException("bug: the seam sends a statement with its masks");
                        }

                        @Override
                        public CompletionStage<ExecutionRecord> execute(List<ColumnMask> masks) throws UpstreamFailure {
                            StatementSender.Sent sent =
                                    sender.send(decided, masks, preparing, message, expected, simple);
                            refusedBeforeRunning = sent.refused();
                            return sent.record();
                        }
                    },
                    Recording.ALLOWANCES);
        } finally {
            holding = false;
        }
        return switch (outcome) {
            case Outcome.Executed executed -> refusedBeforeRunning ? Result.REFUSED : Result.SENT;
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
                refuse(error, simple);
                yield Result.REFUSED;
            }
        };
    }

    /**
     * Answers a refused message with {@code error}, through the upstream (see {@link UpstreamRelay}):
     * an Execute of a portal that does not exist stands in for it. A simple Query (or a fastpath
     * call) is closed with a Sync of its own; in the extended protocol the client's Sync ends it.
     */
    void refuse(byte[] error, boolean withSync) throws IOException {
        OutputStream up = upstream.out();
        relay.expect(new Expected.Refusal(error));
        up.write(new Wire.Message(
                        (byte) 'E',
                        new Wire.Builder().cstring(refusalPortal).int32(0).build())
                .frame());
        if (withSync) {
            relay.expect(new Expected.Sync());
            up.write(new Wire.Message((byte) 'S', new byte[0]).frame());
        }
        up.flush();
    }

    /** A CancelRequest while a statement is held withdraws it; true when one was held. */
    boolean cancelIfHeld() {
        if (holding) {
            cancelRequested = true;
            return true;
        }
        return false;
    }

    /** The session is ending: a held statement sees it on its next presence check and is cancelled. */
    void sessionEnded() {
        ended = true;
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
                if (ended) {
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
}
