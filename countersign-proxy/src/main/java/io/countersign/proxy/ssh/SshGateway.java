package io.countersign.proxy.ssh;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import io.countersign.proxy.AgentAuthenticator;
import io.countersign.proxy.Enforcement;
import io.countersign.proxy.Login;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code proxies.ssh} listener. Agents log in as their agent name with a public key
 * registered to them or with their API key as the password; every {@code exec}, shell and SFTP
 * channel is an action decided through {@link Enforcement} and, once allowed or approved, relayed
 * to the one upstream server with the gateway's own key. Port, agent and X11 forwarding are refused
 * outright: the gateway relays sessions to its upstream, it does not open connections elsewhere.
 */
public final class SshGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshGateway.class);
    private static final AttributeKey<AgentCredential> CREDENTIAL = new AttributeKey<>();

    private final SshGatewayConfig config;
    private final Enforcement enforcement;
    private final AgentAuthenticator apiKeys;
    private final AgentPublicKeys publicKeys;
    private final Clock clock;
    private final UpstreamSessions upstreams;
    private final SshServer server;

    private SshGateway(
            SshGatewayConfig config,
            Enforcement enforcement,
            AgentAuthenticator apiKeys,
            AgentPublicKeys publicKeys,
            Clock clock) {
        this.config = config;
        this.enforcement = enforcement;
        this.apiKeys = apiKeys;
        this.publicKeys = publicKeys;
        this.clock = clock;
        this.upstreams = new UpstreamSessions(config.upstream());
        this.server = SshServer.setUpDefaultServer();
    }

    /** Binds the listener; refuses to start when the upstream's key file or known hosts can't be read. */
    public static SshGateway start(
            SshGatewayConfig config,
            Enforcement enforcement,
            AgentAuthenticator apiKeys,
            AgentPublicKeys publicKeys,
            Clock clock) {
        requireNonNull(config, "config is null");
        SshGateway gateway = new SshGateway(
                config,
                requireNonNull(enforcement, "enforcement is null"),
                requireNonNull(apiKeys, "apiKeys is null"),
                requireNonNull(publicKeys, "publicKeys is null"),
                requireNonNull(clock, "clock is null"));
        try {
            gateway.listen();
        } catch (IOException | RuntimeException e) {
            gateway.close();
            throw new IllegalStateException(
                    "proxies.ssh " + config.name() + ": could not listen on " + config.listenHost() + ":"
                            + config.listenPort() + ": " + e.getMessage(),
                    e);
        }
        LOG.info(
                "SSH gateway {} listening on {}:{} for {}@{}:{}",
                config.name(),
                config.listenHost(),
                gateway.port(),
                config.upstream().user(),
                config.upstream().host(),
                config.upstream().port());
        return gateway;
    }

    private void listen() throws IOException {
        Files.createDirectories(config.hostKey().toAbsolutePath().getParent());
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(config.hostKey());
        hostKeys.setAlgorithm("EC");
        server.setKeyPairProvider(hostKeys);
        server.setHost(config.listenHost());
        server.setPort(config.listenPort());
        CoreModuleProperties.AUTH_TIMEOUT.set(server, Duration.ofSeconds(30));
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(server, 6);
        server.setPasswordAuthenticator(
                (user, password, session) -> admit(session, new AgentCredential.ApiKey(user, new Secret(password))));
        server.setPublickeyAuthenticator((user, key, session) -> admit(session, new AgentCredential.Key(user, key)));
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setCommandFactory((channel, command) -> new RelayedChannel(this, RelayedChannel.Kind.EXEC, command));
        server.setShellFactory(channel -> new RelayedChannel(this, RelayedChannel.Kind.SHELL, ""));
        server.setSubsystemFactories(List.of(new SubsystemFactory() {
            @Override
            public String getName() {
                return "sftp";
            }

            @Override
            public org.apache.sshd.server.command.Command createSubsystem(
                    org.apache.sshd.server.channel.ChannelSession channel) {
                return new RelayedChannel(SshGateway.this, RelayedChannel.Kind.SFTP, "");
            }
        }));
        server.start();
    }

    private boolean admit(Session session, AgentCredential credential) {
        Login login = check(credential);
        if (login instanceof Login.Refused refused) {
            LOG.info("ssh gateway {}: login as {} refused: {}", config.name(), credential.agent(), refused.reason());
            return false;
        }
        session.setAttribute(CREDENTIAL, credential);
        return true;
    }

    private Login check(AgentCredential credential) {
        return switch (credential) {
            case AgentCredential.ApiKey key -> apiKeys.authenticate(key.agent(), key.secret());
            case AgentCredential.Key key -> publicKeys.authenticate(key.agent(), key.publicKey());
        };
    }

    /** The session's agent checked again now (a key revoked since the login refuses the next action). */
    Login login(Session session) {
        AgentCredential credential = session.getAttribute(CREDENTIAL);
        if (credential == null || !credential.agent().equals(session.getUsername())) {
            return new Login.Refused("the session has no agent login");
        }
        return check(credential);
    }

    /** The port it listens on (the configured one, or the one the system chose for port 0). */
    public int port() {
        return server.getPort();
    }

    public String name() {
        return config.name();
    }

    Enforcement enforcement() {
        return enforcement;
    }

    UpstreamSessions upstreams() {
        return upstreams;
    }

    Path recordings() {
        return config.recordings();
    }

    Clock clock() {
        return clock;
    }

    Duration timeout() {
        return config.upstream().timeout();
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException("ssh gateway " + config.name() + " did not stop cleanly", e);
        } finally {
            upstreams.close();
        }
    }

    /** What the agent logged in with, kept for the session so each action checks it again. */
    private sealed interface AgentCredential {
        String agent();

        record ApiKey(String agent, Secret secret) implements AgentCredential {}

        record Key(String agent, PublicKey publicKey) implements AgentCredential {}
    }
}
