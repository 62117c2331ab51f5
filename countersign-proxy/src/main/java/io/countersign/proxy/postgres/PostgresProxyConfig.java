package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code proxies.postgres} listener: where agents connect, the upstream it stands for (whose
 * password is read from the environment variable {@code upstream.passwordEnv} and nowhere else),
 * TLS for the agents' side, and what an unparsed statement gets.
 */
public record PostgresProxyConfig(
        String name,
        String listenHost,
        int listenPort,
        UpstreamSettings upstream,
        Optional<TlsFiles> tls,
        Unparsed unparsed) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public PostgresProxyConfig {
        requireNonNull(name, "name is null");
        requireNonNull(listenHost, "listenHost is null");
        requireNonNull(upstream, "upstream is null");
        requireNonNull(tls, "tls is null");
        requireNonNull(unparsed, "unparsed is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name '" + name + "' must be 1 to 64 letters, digits, '_' or '-' (it is part of every resource)");
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port " + listenPort + " is not a TCP port");
        }
    }

    /** Whether agents reach this listener only from this machine: then a cleartext key never crosses a network. */
    public boolean listensOnLoopback() {
        try {
            return InetAddress.getByName(listenHost).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public record UpstreamSettings(
            String host, int port, String database, String user, String passwordEnv, SslMode sslmode) {
        public UpstreamSettings {
            requireNonNull(host, "host is null");
            requireNonNull(database, "database is null");
            requireNonNull(user, "user is null");
            requireNonNull(passwordEnv, "passwordEnv is null");
            requireNonNull(sslmode, "sslmode is null");
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("upstream port " + port + " is not a TCP port");
            }
        }

        @Override
        public String toString() {
            return user + "@" + host + ":" + port + "/" + database + " (password from $" + passwordEnv + ", sslmode "
                    + sslmode.wireName() + ")";
        }
    }

    /** PEM files: the certificate chain and its PKCS#8 private key. */
    public record TlsFiles(Path certFile, Path keyFile) {
        public TlsFiles {
            requireNonNull(certFile, "certFile is null");
            requireNonNull(keyFile, "keyFile is null");
        }
    }

    /** How the gateway reaches its upstream: in clear, or over TLS that checks the server's certificate and name. */
    public enum SslMode {
        DISABLE("disable"),
        VERIFY_FULL("verify-full");

        private final String wireName;

        SslMode(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<SslMode> fromWireName(String name) {
            for (SslMode mode : values()) {
                if (mode.wireName.equals(name)) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }

    /** What a statement the parser can't read gets: denied, or a human's decision (the policy must require approval for {@code sql.unparsed}). */
    public enum Unparsed {
        DENY,
        REQUIRE_APPROVAL
    }
}
