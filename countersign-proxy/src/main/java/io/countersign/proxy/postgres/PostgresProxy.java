package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import io.countersign.proxy.AgentAuthenticator;
import io.countersign.proxy.Enforcement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code proxies.postgres} listener: accepts agents' PostgreSQL connections, logs each agent
 * in with its name and API key, opens one upstream connection per session with the gateway's
 * credential, and enforces every statement through the {@link Enforcement} seam. A session that
 * breaks the protocol ends alone; the others keep being served.
 */
public final class PostgresProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresProxy.class);

    private final PostgresProxyConfig config;
    private final ServerSocket listener;
    private final SessionStartup startup;
    private final UpstreamLogin login;
    private final Enforcement enforcement;
    private final AgentAuthenticator authenticator;
    private final Sessions sessions = new Sessions();
    private final String refusalPortal;
    /** Shared by the listener's sessions: it keeps no state between statements. */
    private final StatementActions actions;

    private volatile boolean stopping;

    private PostgresProxy(
            PostgresProxyConfig config,
            ServerSocket listener,
            Optional<SSLContext> tls,
            UpstreamLogin login,
            Enforcement enforcement,
            AgentAuthenticator authenticator) {
        this.config = config;
        this.listener = listener;
        this.login = login;
        this.enforcement = enforcement;
        this.authenticator = authenticator;
        this.startup = new SessionStartup(config, tls, authenticator, sessions);
        this.actions = new StatementActions(config.name(), config.upstream().database());
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        this.refusalPortal = "countersign_refused_" + HexFormat.of().formatHex(random);
    }

    /**
     * Starts listening. {@code environment} reads environment variables (the upstream password's
     * only source). Refuses to start a listener on a non-loopback address without TLS, where an
     * agent's key would cross the network in clear text.
     */
    public static PostgresProxy start(
            PostgresProxyConfig config,
            Function<String, Optional<String>> environment,
            Enforcement enforcement,
            AgentAuthenticator authenticator) {
        requireNonNull(config, "config is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(enforcement, "enforcement is null");
        requireNonNull(authenticator, "authenticator is null");
        String prefix = "proxies.postgres '" + config.name() + "': ";
        Secret password = new Secret(environment
                .apply(config.upstream().passwordEnv())
                .filter(value -> !value.isEmpty())
                .orElseThrow(() -> new IllegalArgumentException(prefix + "upstream.passwordEnv names $"
                        + config.upstream().passwordEnv() + ", which is not set in the gateway's environment")));
        if (config.tls().isEmpty() && !config.listensOnLoopback()) {
            throw new IllegalArgumentException(
                    prefix + "listen " + config.listenHost() + " is not a loopback address, and agents' API keys "
                            + "would cross the network in clear text: configure tls {certFile, keyFile} or listen on 127.0.0.1");
        }
        Optional<SSLContext> tls = config.tls().map(files -> PemTls.context(files, prefix));
        ServerSocket listener;
        try {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getByName(config.listenHost()), config.listenPort()), 512);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    prefix + "can't listen on " + config.listenHost() + ":" + config.listenPort() + ": "
                            + e.getMessage(),
                    e);
        }
        PostgresProxy proxy = new PostgresProxy(
                config, listener, tls, new UpstreamLogin(config.upstream(), password), enforcement, authenticator);
        Thread.ofPlatform().daemon().name("pg-proxy-" + config.name()).start(proxy::accept);
        LOG.info(
                "postgres proxy '{}' listening on {}:{} for upstream {}",
                config.name(),
                config.listenHost(),
                proxy.port(),
                config.upstream());
        return proxy;
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String name() {
        return config.name();
    }

    /** Sessions being served now. */
    public int sessions() {
        return sessions.size();
    }

    private void accept() {
        while (!stopping) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().name("pg-session").start(() -> session(socket));
            } catch (IOException e) {
                if (!stopping) {
                    LOG.warn("postgres proxy '{}': accepting a connection failed: {}", config.name(), e.getMessage());
                }
            }
        }
    }

    private void session(Socket socket) {
        Optional<ClientSession> session = Optional.empty();
        int pid = 0;
        // Not try-with-resources: the socket must still be open when a catch clause tells the client why.
        try {
            SessionStartup.Result result = startup.run(socket);
            if (result.started().isEmpty()) {
                return;
            }
            SessionStartup.Started started = result.started().get();
            UpstreamLogin.Connected upstream;
            try {
                upstream = login.connect(started.parameters());
            } catch (UpstreamLogin.Refused | IOException e) {
                LOG.warn(
                        "postgres proxy '{}': logging in to the upstream for agent {} failed: {}",
                        config.name(),
                        started.user(),
                        e.getMessage());
                SessionStartup.refuse(
                        started.out(),
                        Notices.CONNECTION_FAILURE,
                        "Countersign could not open the upstream connection for this session");
                return;
            }
            Wire.write(started.out(), 'R', new Wire.Builder().int32(0).build());
            ClientSession serving = new ClientSession(
                    started, upstream, login, enforcement, authenticator, actions, refusalPortal, sessions.newSecret());
            session = Optional.of(serving);
            pid = sessions.register(serving);
            if (stopping) {
                return;
            }
            serving.serve(pid);
        } catch (ProtocolViolation e) {
            LOG.info(
                    "postgres proxy '{}': a session broke the protocol and was ended: {}",
                    config.name(),
                    e.getMessage());
            session.ifPresentOrElse(
                    s -> s.fatal(Notices.PROTOCOL_VIOLATION, "protocol violation: " + e.getMessage()),
                    () -> fatal(socket, "protocol violation: " + e.getMessage()));
        } catch (IOException | RuntimeException e) {
            LOG.debug("postgres proxy '{}': a session ended: {}", config.name(), e.toString());
        } finally {
            session.ifPresent(ClientSession::close);
            if (pid != 0) {
                sessions.remove(pid);
            }
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    private static void fatal(Socket socket, String message) {
        try {
            Wire.write(socket.getOutputStream(), 'E', Notices.fatal(Notices.PROTOCOL_VIOLATION, message));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            // The client is gone.
        }
    }

    /** Stops listening and ends every session; held statements are cancelled by their sessions ending. */
    @Override
    public void close() {
        stopping = true;
        try {
            listener.close();
        } catch (IOException e) {
            // stopping anyway
        }
        sessions.closeAll();
    }
}
