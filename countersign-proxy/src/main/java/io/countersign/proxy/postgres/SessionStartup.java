package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import io.countersign.proxy.AgentAuthenticator;
import io.countersign.proxy.Login;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The startup phase of one client connection: SSLRequest (TLS when configured, 'N' otherwise),
 * GSSENCRequest (always 'N': the gateway can't see inside GSS encryption), CancelRequest (handed
 * to {@link Sessions}), the StartupMessage, and the agent's cleartext password: its API key, over
 * TLS or loopback only.
 */
final class SessionStartup {
    /** Startup parameters passed on to the upstream; {@code options} and the rest are dropped (they could change server settings unseen). */
    private static final Set<String> FORWARDED = Set.of(
            "application_name", "client_encoding", "datestyle", "timezone", "extra_float_digits", "intervalstyle");

    /** The client's streams after startup (TLS-wrapped if it asked), who it is, and what to pass upstream. */
    record Started(
            Socket socket,
            BufferedInputStream buffered,
            DataInputStream in,
            OutputStream out,
            String user,
            Secret key,
            Login.Admitted agent,
            Map<String, String> parameters) {}

    /** How startup ended when it did not start a session. */
    sealed interface Ended {
        /** A CancelRequest: handled; the connection closes. */
        record Cancelled() implements Ended {}

        /** Refused with a FATAL error already sent. */
        record Refused(String why) implements Ended {}
    }

    /** Either outcome. */
    record Result(Optional<Started> started, Optional<Ended> ended) {}

    private final PostgresProxyConfig config;
    private final Optional<SSLContext> tls;
    private final AgentAuthenticator authenticator;
    private final Sessions sessions;

    SessionStartup(
            PostgresProxyConfig config, Optional<SSLContext> tls, AgentAuthenticator authenticator, Sessions sessions) {
        this.config = requireNonNull(config, "config is null");
        this.tls = requireNonNull(tls, "tls is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
    }

    Result run(Socket socket) throws IOException, ProtocolViolation {
        boolean encrypted = false;
        BufferedInputStream buffered = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        DataInputStream in = new DataInputStream(buffered);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        while (true) {
            Wire.Reader packet = new Wire.Reader(Wire.readStartup(in));
            int code = packet.int32();
            if (code == Wire.SSL_REQUEST && !encrypted) {
                if (tls.isEmpty()) {
                    out.write('N');
                    out.flush();
                    continue;
                }
                if (buffered.available() > 0) {
                    throw new ProtocolViolation("data after SSLRequest before the TLS handshake");
                }
                out.write('S');
                out.flush();
                SSLSocket secured =
                        (SSLSocket) tls.get().getSocketFactory().createSocket(socket, null, socket.getPort(), true);
                secured.setUseClientMode(false);
                secured.startHandshake();
                socket = secured;
                encrypted = true;
                buffered = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                in = new DataInputStream(buffered);
                out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                continue;
            }
            if (code == Wire.GSSENC_REQUEST && !encrypted) {
                out.write('N');
                out.flush();
                continue;
            }
            if (code == Wire.CANCEL_REQUEST) {
                int pid = packet.int32();
                int secret = packet.int32();
                sessions.cancel(pid, secret);
                return new Result(Optional.empty(), Optional.of(new Ended.Cancelled()));
            }
            if (code >>> 16 != 3) {
                return refuse(
                        out,
                        Notices.FEATURE_NOT_SUPPORTED,
                        "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xffff)
                                + ": Countersign speaks protocol 3.0");
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            while (true) {
                String name = packet.cstring();
                if (name.isEmpty()) {
                    break;
                }
                parameters.put(name, packet.cstring());
            }
            if (code != Wire.PROTOCOL_3_0) {
                // A newer 3.x client: say we speak 3.0 and no _pq_ options, as a server of that version would.
                Wire.Builder negotiate = new Wire.Builder().int32(0);
                var unknown = parameters.keySet().stream()
                        .filter(name -> name.startsWith("_pq_."))
                        .toList();
                negotiate.int32(unknown.size());
                unknown.forEach(negotiate::cstring);
                Wire.write(out, 'v', negotiate.build());
            }
            return login(socket, buffered, in, out, encrypted, parameters);
        }
    }

    private Result login(
            Socket socket,
            BufferedInputStream buffered,
            DataInputStream in,
            OutputStream out,
            boolean encrypted,
            Map<String, String> parameters)
            throws IOException, ProtocolViolation {
        if (!encrypted && !config.listensOnLoopback()) {
            return refuse(
                    out,
                    Notices.INVALID_AUTHORIZATION,
                    "this Countersign listener requires TLS: connect with sslmode=require");
        }
        String replication = parameters.getOrDefault("replication", "false").toLowerCase(Locale.ROOT);
        if (!Set.of("false", "off", "no", "0").contains(replication)) {
            return refuse(
                    out,
                    Notices.FEATURE_NOT_SUPPORTED,
                    "replication connections are not supported through Countersign: it can't check what they read");
        }
        String user = parameters.getOrDefault("user", "");
        if (user.isEmpty()) {
            return refuse(
                    out,
                    Notices.INVALID_AUTHORIZATION,
                    "no user name in the startup packet: connect with your agent's name as the user");
        }
        String database = parameters.getOrDefault("database", user);
        if (!database.equals(config.upstream().database()) && !database.equals(config.name())) {
            return refuse(
                    out,
                    Notices.INVALID_CATALOG,
                    "database \"" + database + "\" is not served here: this Countersign proxy serves \""
                            + config.upstream().database() + "\"");
        }
        Wire.write(out, 'R', new Wire.Builder().int32(3).build());
        out.flush();
        Wire.Message answer = Wire.read(in, Wire.MAX_STARTUP);
        if (answer.kind() != 'p') {
            throw new ProtocolViolation("expected a password message, got '" + answer.kind() + "'");
        }
        Wire.Reader reader = new Wire.Reader(answer.body());
        Secret key = new Secret(reader.cstring());
        reader.end();
        return switch (authenticator.authenticate(user, key)) {
            case Login.Refused refused ->
                refuse(
                        out,
                        Notices.INVALID_PASSWORD,
                        "password authentication failed for agent \"" + user + "\": " + refused.reason());
            case Login.Admitted admitted -> {
                Map<String, String> forwarded = new LinkedHashMap<>();
                parameters.forEach((name, value) -> {
                    if (FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                        forwarded.put(name, value);
                    }
                });
                yield new Result(
                        Optional.of(new Started(socket, buffered, in, out, user, key, admitted, forwarded)),
                        Optional.empty());
            }
        };
    }

    static Result refuse(OutputStream out, String code, String message) throws IOException {
        Wire.write(out, 'E', Notices.fatal(code, message));
        out.flush();
        return new Result(Optional.empty(), Optional.of(new Ended.Refused(message)));
    }
}
