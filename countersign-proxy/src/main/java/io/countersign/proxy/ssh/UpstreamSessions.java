package io.countersign.proxy.ssh;

import static java.util.Objects.requireNonNull;

import io.countersign.proxy.Upstream.UpstreamFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's logins to its upstream: one SSH connection shared by the agents' channels (an
 * exec is then a channel, not a key exchange), reopened when it drops, and a connection of its
 * own for a channel when the shared one already carries {@link #SHARED_CHANNELS} (OpenSSH's
 * {@code MaxSessions} is 10). The upstream's host key must be in {@code knownHosts}: an unknown
 * or changed key refuses the connection.
 */
final class UpstreamSessions implements AutoCloseable {
    static final int SHARED_CHANNELS = 8;

    private final SshGatewayConfig.Target target;
    private final SshClient client;
    private final List<KeyPair> identities;
    private final AtomicInteger sharedInUse = new AtomicInteger();
    private @Nullable ClientSession shared;

    UpstreamSessions(SshGatewayConfig.Target target) {
        this.target = requireNonNull(target, "target is null");
        if (!Files.isReadable(target.knownHosts())) {
            throw new IllegalArgumentException("upstream knownHosts " + target.knownHosts() + " is not readable");
        }
        identities = loadKeys(target);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(
                new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, target.knownHosts()));
        client.start();
    }

    private static List<KeyPair> loadKeys(SshGatewayConfig.Target target) {
        List<KeyPair> keys = new ArrayList<>();
        try {
            new FileKeyPairProvider(target.keyFile()).loadKeys(null).forEach(keys::add);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "upstream keyFile " + target.keyFile() + " could not be read as a private key: " + e.getMessage(),
                    e);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("upstream keyFile " + target.keyFile() + " holds no private key");
        }
        return List.copyOf(keys);
    }

    /** A logged-in session to open one channel on; {@link Lease#close} when the channel is done. */
    Lease lease() throws UpstreamFailure {
        if (sharedInUse.incrementAndGet() <= SHARED_CHANNELS) {
            try {
                return new Lease(sharedSession(), sharedInUse::decrementAndGet);
            } catch (UpstreamFailure e) {
                sharedInUse.decrementAndGet();
                throw e;
            }
        }
        sharedInUse.decrementAndGet();
        ClientSession own = connect();
        return new Lease(own, () -> own.close(false));
    }

    private synchronized ClientSession sharedSession() throws UpstreamFailure {
        ClientSession current = shared;
        if (current != null && current.isOpen() && !current.isClosing()) {
            return current;
        }
        ClientSession opened = connect();
        shared = opened;
        return opened;
    }

    private ClientSession connect() throws UpstreamFailure {
        String where = target.user() + "@" + target.host() + ":" + target.port();
        ClientSession session = null;
        try {
            session = client.connect(target.user(), target.host(), target.port())
                    .verify(target.timeout())
                    .getSession();
            identities.forEach(session::addPublicKeyIdentity);
            session.auth().verify(target.timeout());
            return session;
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                session.close(true);
            }
            throw new UpstreamFailure("could not log in to the upstream " + where + ": " + brief(e), e);
        }
    }

    private static String brief(Throwable e) {
        return Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    }

    @Override
    public void close() {
        synchronized (this) {
            if (shared != null) {
                shared.close(true);
            }
        }
        client.stop();
    }

    /** A session borrowed for one channel. */
    static final class Lease implements AutoCloseable {
        final ClientSession session;
        private final Runnable release;

        private Lease(ClientSession session, Runnable release) {
            this.session = session;
            this.release = release;
        }

        @Override
        public void close() {
            release.run();
        }
    }
}
