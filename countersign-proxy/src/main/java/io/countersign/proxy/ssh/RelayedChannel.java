package io.countersign.proxy.ssh;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.proxy.ExecutionRecord;
import io.countersign.proxy.Hold;
import io.countersign.proxy.Login;
import io.countersign.proxy.Outcome;
import io.countersign.proxy.Upstream.UpstreamFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent channel (an exec, a shell or an SFTP session) decided through the seam and, once
 * allowed or approved, relayed to the same kind of channel upstream: the agent's input goes up,
 * the upstream's output and exit status come back. Refused: a message on stderr, exit 126.
 * The agent leaving closes the upstream channel (the command is not left running half-done).
 */
final class RelayedChannel implements Command {
    static final int REFUSED = 126;
    static final int UPSTREAM_FAILED = 255;

    enum Kind {
        EXEC,
        SHELL,
        SFTP
    }

    private static final Logger LOG = LoggerFactory.getLogger(RelayedChannel.class);

    private final SshGateway gateway;
    private final Kind kind;
    private final String command;
    private @Nullable InputStream in;
    private @Nullable OutputStream out;
    private @Nullable OutputStream err;
    private @Nullable ExitCallback exit;
    private volatile boolean agentGone;
    private volatile @Nullable ClientChannel upstream;

    RelayedChannel(SshGateway gateway, Kind kind, String command) {
        this.gateway = requireNonNull(gateway, "gateway is null");
        this.kind = requireNonNull(kind, "kind is null");
        this.command = requireNonNull(command, "command is null");
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        Thread.ofVirtual()
                .name("ssh-" + gateway.name() + "-" + kind.name().toLowerCase(java.util.Locale.ROOT))
                .start(() -> {
                    try {
                        run(channel, env);
                    } catch (RuntimeException e) {
                        LOG.error("ssh gateway {}: a {} channel failed", gateway.name(), kind, e);
                        finish(
                                UPSTREAM_FAILED,
                                "Countersign: the gateway failed to run this; nothing more was sent upstream");
                    }
                });
    }

    @Override
    public void destroy(ChannelSession channel) {
        agentGone = true;
        ClientChannel relayed = upstream;
        if (relayed != null && relayed.isOpen()) {
            terminate(relayed);
        }
    }

    /**
     * The agent left mid-command: ask the upstream to end the command (RFC 4254 6.9 {@code signal};
     * OpenSSH 7.9+ delivers it to the process), then close the channel (which closes the command's
     * pipes upstream). Without the signal a command that writes nothing would run to its end unobserved.
     */
    private void terminate(ClientChannel relayed) {
        try {
            Buffer signal = relayed.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
            signal.putUInt(relayed.getRecipient());
            signal.putString("signal");
            signal.putBoolean(false);
            signal.putString("TERM");
            relayed.getSession().writePacket(signal);
        } catch (IOException | RuntimeException e) {
            LOG.debug("ssh gateway {}: could not signal the upstream command: {}", gateway.name(), e.getMessage());
        }
        relayed.close(false);
    }

    private void run(ChannelSession channel, Environment env) {
        Login login = gateway.login(channel.getSession());
        if (!(login instanceof Login.Admitted admitted)) {
            finish(REFUSED, "Countersign refused the login: " + ((Login.Refused) login).reason());
            return;
        }
        Optional<Action> action = action(env);
        if (action.isEmpty()) {
            finish(REFUSED, "Countersign: the command has an unclosed quote, so it can't be read as words; not run");
            return;
        }
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Outcome outcome = gateway.enforcement()
                .enforce(admitted, List.of(action.get()), hold(), () -> relay(channel, env, status));
        switch (outcome) {
            case Outcome.Executed executed -> finish(await(status), "");
            case Outcome.Refused refused -> finish(REFUSED, refused.message());
            case Outcome.UpstreamFailed failed -> finish(UPSTREAM_FAILED, "Countersign: " + failed.message());
        }
    }

    private Optional<Action> action(Environment env) {
        return switch (kind) {
            case EXEC -> ShellWords.split(command).map(argv -> SshActions.exec(gateway.name(), command, argv));
            case SHELL ->
                Optional.of(SshActions.shell(
                        gateway.name(), Optional.ofNullable(env.getEnv().get(Environment.ENV_TERM))));
            case SFTP -> Optional.of(SshActions.sftp(gateway.name()));
        };
    }

    private Hold hold() {
        return new Hold() {
            @Override
            public void held(List<Pending> pending) {
                for (Pending p : pending) {
                    stderr("Countersign: " + p.action() + " on " + p.resource() + " is held for approval (" + p.reason()
                            + "); request " + p.id() + ", decide at " + p.consoleUrl() + "\r\n");
                }
            }

            @Override
            public Optional<String> gone() {
                return agentGone ? Optional.of("the SSH client disconnected") : Optional.empty();
            }
        };
    }

    /** Opens the approved channel upstream; the stage completes with its record when the channel closes. */
    private CompletionStage<ExecutionRecord> relay(
            ChannelSession agent, Environment env, CompletableFuture<Integer> status) throws UpstreamFailure {
        UpstreamSessions.Lease lease = gateway.upstreams().lease();
        Optional<Recording> recording = Optional.empty();
        try {
            if (kind == Kind.SHELL) {
                recording = Optional.of(startRecording(agent, env));
            }
            ClientChannel channel = open(lease, env);
            MeteredOutput stdout = new MeteredOutput(requireNonNull(out), recording);
            MeteredOutput stderr = new MeteredOutput(requireNonNull(err), recording);
            InputStream input = requireNonNull(in);
            channel.setIn(
                    recording.<InputStream>map(r -> new RecordedInput(input, r)).orElse(input));
            channel.setOut(stdout);
            channel.setErr(stderr);
            upstream = channel;
            if (agentGone) {
                throw new IOException("the SSH client disconnected before the upstream channel opened");
            }
            channel.open().verify(gateway.timeout());
            Optional<Recording> recorded = recording;
            CompletableFuture<ExecutionRecord> done = new CompletableFuture<>();
            Thread.ofVirtual().name("ssh-" + gateway.name() + "-upstream").start(() -> {
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 0L);
                lease.close();
                Integer exitStatus = channel.getExitStatus();
                int code = exitStatus != null ? exitStatus : UPSTREAM_FAILED;
                String streams = kind == Kind.EXEC
                        ? "; stdout " + stdout.summary() + "; stderr " + stderr.summary()
                        : recorded.map(r -> "; " + r.summary()).orElse("");
                String how = agentGone
                        ? "the SSH client disconnected; the upstream channel was closed"
                        : exitStatus != null
                                ? "exit " + exitStatus
                                : "no exit status (signal " + channel.getExitSignal() + ")";
                status.complete(code);
                done.complete(
                        !agentGone && exitStatus != null && exitStatus == 0
                                ? ExecutionRecord.succeeded(how + streams)
                                : ExecutionRecord.failed(how + streams));
            });
            return done;
        } catch (IOException | RuntimeException e) {
            lease.close();
            recording.ifPresent(Recording::close);
            ClientChannel opened = upstream;
            if (opened != null) {
                opened.close(true);
            }
            throw new UpstreamFailure(
                    "could not open the " + kind.name().toLowerCase(java.util.Locale.ROOT) + " channel upstream: "
                            + Optional.ofNullable(e.getMessage()).orElse(e.toString()),
                    e);
        }
    }

    private ClientChannel open(UpstreamSessions.Lease lease, Environment env) throws IOException {
        return switch (kind) {
            case EXEC -> lease.session.createExecChannel(command);
            case SFTP -> lease.session.createSubsystemChannel("sftp");
            case SHELL -> {
                PtyCapableChannelSession shell = lease.session.createShellChannel();
                Map<String, String> vars = env.getEnv();
                shell.setUsePty(!env.getPtyModes().isEmpty());
                Optional.ofNullable(vars.get(Environment.ENV_TERM)).ifPresent(shell::setPtyType);
                shell.setPtyColumns(number(vars.get(Environment.ENV_COLUMNS), 80));
                shell.setPtyLines(number(vars.get(Environment.ENV_LINES), 24));
                shell.setPtyModes(env.getPtyModes());
                env.addSignalListener(
                        (channel, signal) -> {
                            try {
                                shell.sendWindowChange(
                                        number(env.getEnv().get(Environment.ENV_COLUMNS), 80),
                                        number(env.getEnv().get(Environment.ENV_LINES), 24));
                            } catch (IOException e) {
                                LOG.debug(
                                        "ssh gateway {}: window change not relayed: {}",
                                        gateway.name(),
                                        e.getMessage());
                            }
                        },
                        Signal.WINCH);
                yield shell;
            }
        };
    }

    private Recording startRecording(ChannelSession agent, Environment env) throws IOException {
        Map<String, String> vars = env.getEnv();
        Path file = gateway.recordings()
                .resolve(gateway.name() + "-"
                        + gateway.clock().instant().toString().replace(':', '-') + "-"
                        + UUID.randomUUID().toString().substring(0, 8) + ".cast");
        return Recording.start(
                file,
                number(vars.get(Environment.ENV_COLUMNS), 80),
                number(vars.get(Environment.ENV_LINES), 24),
                Optional.ofNullable(vars.get(Environment.ENV_TERM)),
                agent.getSession().getUsername() + "@ssh/" + gateway.name(),
                gateway.clock());
    }

    private static int number(@Nullable String text, int otherwise) {
        if (text == null) {
            return otherwise;
        }
        try {
            int value = Integer.parseInt(text.trim());
            return value > 0 && value < 10_000 ? value : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private int await(CompletableFuture<Integer> status) {
        try {
            return status.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UPSTREAM_FAILED;
        } catch (ExecutionException e) {
            return UPSTREAM_FAILED;
        }
    }

    private void stderr(String text) {
        OutputStream stream = err;
        if (stream == null || agentGone) {
            return;
        }
        try {
            stream.write(text.getBytes(StandardCharsets.UTF_8));
            stream.flush();
        } catch (IOException e) {
            agentGone = true; // the client is gone; the seam cancels what it held
        }
    }

    private void finish(int code, String message) {
        if (!message.isEmpty()) {
            stderr(message + "\r\n");
        }
        ExitCallback callback = exit;
        if (callback != null && !agentGone) {
            callback.onExit(code, message.isEmpty() ? "" : message, false);
        }
    }
}
