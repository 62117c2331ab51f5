package io.countersign.proxy.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.InteractiveProcessShellFactory;
import org.apache.sshd.server.subsystem.SubsystemFactory;

/**
 * The upstream server of the SSH gateway's tests: Apache MINA SSHD on 127.0.0.1:0 that runs each
 * exec with {@code /bin/sh -c} (ending it on a {@code signal} request, as OpenSSH does), shells with {@code /bin/sh -i}
 * and SFTP with OpenSSH's {@code sftp-server}, accepts only the gateway's key,
 * and logs every command it receives (so a test can show a denied one never arrived).
 */
final class TestUpstream implements AutoCloseable {
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<String> channels = new CopyOnWriteArrayList<>();
    private final SshServer server = SshServer.setUpDefaultServer();
    private final PublicKey hostKey;
    static final Path SFTP_SERVER = Path.of("/usr/lib/openssh/sftp-server");
    final Path files;

    TestUpstream(Path dir, PublicKey allowedKey) throws IOException {
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(dir.resolve("upstream-host-key"));
        hostKeys.setAlgorithm("EC");
        server.setKeyPairProvider(hostKeys);
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, allowedKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> {
            received.add(command);
            channels.add("exec");
            return new SignalledCommand(command);
        });
        server.setShellFactory(channel -> {
            channels.add("shell");
            return InteractiveProcessShellFactory.INSTANCE.createShell(channel);
        });
        // SFTP is OpenSSH's own sftp-server (Debian's openssh-sftp-server) on the channel's streams, in files/.
        files = Files.createDirectories(dir.resolve("upstream-files"));
        server.setSubsystemFactories(List.of(new SubsystemFactory() {
            @Override
            public String getName() {
                return "sftp";
            }

            @Override
            public Command createSubsystem(ChannelSession channel) {
                channels.add("sftp");
                return new SignalledCommand("exec " + SFTP_SERVER + " -d " + files);
            }
        }));
        server.start();
        KeyPair key = hostKeys.loadKeys(null).iterator().next();
        hostKey = key.getPublic();
    }

    int port() {
        return server.getPort();
    }

    /** A known_hosts line for this server, as OpenSSH writes it for a non-default port. */
    String knownHostsLine() {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey) + "\n";
    }

    Path writeKnownHosts(Path file) throws IOException {
        return Files.writeString(file, knownHostsLine());
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
