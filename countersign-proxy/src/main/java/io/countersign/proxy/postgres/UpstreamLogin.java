package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.exception.ScramException;
import io.countersign.identity.Secret;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The gateway's own login to the upstream, with its credential: one connection per client
 * session. Speaks SCRAM-SHA-256, MD5 or cleartext as the upstream asks; the password never leaves
 * this class except towards the upstream.
 */
final class UpstreamLogin {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final PostgresProxyConfig.UpstreamSettings settings;
    private final Secret password;

    UpstreamLogin(PostgresProxyConfig.UpstreamSettings settings, Secret password) {
        this.settings = requireNonNull(settings, "settings is null");
        this.password = requireNonNull(password, "password is null");
    }

    /** A logged-in connection: its streams, the backend's key for cancels, and the ParameterStatus messages to pass on. */
    record Connected(
            Socket socket,
            DataInputStream in,
            OutputStream out,
            int backendPid,
            int backendSecret,
            List<Wire.Message> parameters) {}

    /** The upstream refused the gateway's login, or answered something that is not PostgreSQL. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    Connected connect(Map<String, String> parameters) throws IOException, Refused {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(settings.host(), settings.port()), CONNECT_TIMEOUT_MILLIS);
            if (settings.sslmode() == PostgresProxyConfig.SslMode.VERIFY_FULL) {
                socket = startTls(socket);
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            Wire.Builder startup = new Wire.Builder()
                    .int32(Wire.PROTOCOL_3_0)
                    .cstring("user")
                    .cstring(settings.user())
                    .cstring("database")
                    .cstring(settings.database());
            parameters.forEach((key, value) -> startup.cstring(key).cstring(value));
            byte[] body = startup.int8(0).build();
            out.write(new Wire.Builder().int32(body.length + 4).bytes(body).build());
            out.flush();
            authenticate(in, out);
            int pid = 0;
            int secret = 0;
            List<Wire.Message> statuses = new ArrayList<>();
            while (true) {
                Wire.Message message = Wire.read(in, Wire.MAX_UPSTREAM_MESSAGE);
                switch (message.kind()) {
                    case 'S' -> statuses.add(message);
                    case 'K' -> {
                        Wire.Reader reader = new Wire.Reader(message.body());
                        pid = reader.int32();
                        secret = reader.int32();
                    }
                    case 'Z' -> {
                        return new Connected(socket, in, out, pid, secret, statuses);
                    }
                    case 'E' ->
                        throw new Refused(Notices.Fields.of(message.body()).message());
                    case 'N' -> {
                        // A notice at login is for the gateway's user, not the agent.
                    }
                    default -> throw new Refused("unexpected message '" + message.kind() + "' while logging in");
                }
            }
        } catch (ProtocolViolation e) {
            socket.close();
            throw new Refused("the upstream broke the protocol: " + e.getMessage());
        } catch (IOException | Refused | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private Socket startTls(Socket plain) throws IOException, Refused {
        OutputStream out = plain.getOutputStream();
        out.write(new Wire.Builder().int32(8).int32(Wire.SSL_REQUEST).build());
        out.flush();
        int answer = plain.getInputStream().read();
        if (answer != 'S') {
            throw new Refused("sslmode verify-full, but the upstream does not offer TLS");
        }
        SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(plain, settings.host(), settings.port(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    private void authenticate(DataInputStream in, OutputStream out) throws IOException, Refused, ProtocolViolation {
        ScramClient scram = null;
        while (true) {
            Wire.Message message = Wire.read(in, Wire.MAX_STARTUP);
            if (message.kind() == 'E') {
                throw new Refused(Notices.Fields.of(message.body()).message());
            }
            if (message.kind() != 'R') {
                throw new Refused("unexpected message '" + message.kind() + "' during authentication");
            }
            Wire.Reader reader = new Wire.Reader(message.body());
            int code = reader.int32();
            switch (code) {
                case 0 -> {
                    return;
                }
                case 3 ->
                    send(out, new Wire.Builder().cstring(password.reveal()).build());
                case 5 ->
                    send(out, new Wire.Builder().cstring(md5(reader.bytes(4))).build());
                case 10 -> {
                    List<String> mechanisms = new ArrayList<>();
                    for (String mechanism = reader.cstring(); !mechanism.isEmpty(); mechanism = reader.cstring()) {
                        mechanisms.add(mechanism);
                    }
                    if (!mechanisms.contains("SCRAM-SHA-256")) {
                        throw new Refused("the upstream offers SASL " + mechanisms + ", not SCRAM-SHA-256");
                    }
                    scram = ScramClient.builder()
                            .advertisedMechanisms(List.of("SCRAM-SHA-256"))
                            .username("*")
                            .password(password.reveal().toCharArray())
                            .build();
                    byte[] first = scram.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8);
                    send(
                            out,
                            new Wire.Builder()
                                    .cstring("SCRAM-SHA-256")
                                    .int32(first.length)
                                    .bytes(first)
                                    .build());
                }
                case 11 -> {
                    if (scram == null) {
                        throw new Refused("the upstream continued a SCRAM exchange it never started");
                    }
                    try {
                        scram.serverFirstMessage(new String(reader.bytes(reader.remaining()), StandardCharsets.UTF_8));
                    } catch (ScramException e) {
                        throw new Refused("the upstream's SCRAM message is malformed: " + e.getMessage());
                    }
                    send(out, scram.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8));
                }
                case 12 -> {
                    if (scram == null) {
                        throw new Refused("the upstream finished a SCRAM exchange it never started");
                    }
                    try {
                        scram.serverFinalMessage(new String(reader.bytes(reader.remaining()), StandardCharsets.UTF_8));
                    } catch (ScramException e) {
                        throw new Refused("the upstream failed SCRAM verification (is it the server we think?): "
                                + e.getMessage());
                    }
                }
                default ->
                    throw new Refused("the upstream asks for authentication method " + code
                            + ", which the gateway does not speak");
            }
        }
    }

    private static void send(OutputStream out, byte[] body) throws IOException {
        Wire.write(out, 'p', body);
        out.flush();
    }

    /** {@code md5(md5(password || user) || salt)}, as PostgreSQL's md5 method wants it. */
    private String md5(byte[] salt) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            String inner = HexFormat.of()
                    .formatHex(md5.digest((password.reveal() + settings.user()).getBytes(StandardCharsets.UTF_8)));
            md5.update(inner.getBytes(StandardCharsets.US_ASCII));
            md5.update(salt);
            return "md5" + HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    /** Asks the upstream to cancel what backend {@code pid} runs, on a connection of its own, as the protocol wants. */
    void cancel(int pid, int secret) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(settings.host(), settings.port()), CONNECT_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(new Wire.Builder()
                    .int32(16)
                    .int32(Wire.CANCEL_REQUEST)
                    .int32(pid)
                    .int32(secret)
                    .build());
            out.flush();
        }
    }
}
