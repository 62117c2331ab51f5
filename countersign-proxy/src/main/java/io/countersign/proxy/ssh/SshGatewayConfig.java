package io.countersign.proxy.ssh;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One {@code proxies.ssh} listener: where agents connect, and the one upstream server it fronts
 * with the gateway's own key. {@code hostKey} is the gateway's host key (created on first start);
 * {@code recordings} the folder for shell recordings.
 */
public record SshGatewayConfig(
        String name, String listenHost, int listenPort, Target upstream, Path hostKey, Path recordings) {
    /** The recordings folder under the data folder, where the console reads them too. */
    public static final String RECORDINGS = "ssh-recordings";

    public SshGatewayConfig {
        requireNonNull(name, "name is null");
        requireNonNull(listenHost, "listenHost is null");
        requireNonNull(upstream, "upstream is null");
        requireNonNull(hostKey, "hostKey is null");
        requireNonNull(recordings, "recordings is null");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("name '" + name + "' must be lower-case letters, digits and dashes");
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port " + listenPort + " is not a port");
        }
    }

    /** With a relative host key and recordings folder resolved against the data folder. */
    public SshGatewayConfig under(Path dataDirectory) {
        return new SshGatewayConfig(
                name,
                listenHost,
                listenPort,
                upstream,
                dataDirectory.resolve(hostKey),
                dataDirectory.resolve(recordings));
    }

    /** The upstream SSH server, the user and private key the gateway logs in with, and the host keys it trusts. */
    public record Target(String host, int port, String user, Path keyFile, Path knownHosts, Duration timeout) {
        public Target {
            requireNonNull(host, "host is null");
            requireNonNull(user, "user is null");
            requireNonNull(keyFile, "keyFile is null");
            requireNonNull(knownHosts, "knownHosts is null");
            requireNonNull(timeout, "timeout is null");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("upstream port " + port + " is not a port");
            }
        }
    }
}
