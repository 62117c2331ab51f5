package io.countersign.proxy.postgres;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live sessions of one listener, by the process id the gateway gave each client in its
 * BackendKeyData, so that a CancelRequest (which arrives on a connection of its own) finds its
 * session. The secret is compared in constant time; an unknown pair is ignored, as PostgreSQL does.
 */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, ClientSession> byPid = new ConcurrentHashMap<>();

    /** A new pid (positive, unused) for {@code session}. */
    int register(ClientSession session) {
        while (true) {
            int pid = random.nextInt(1, Integer.MAX_VALUE);
            if (byPid.putIfAbsent(pid, session) == null) {
                return pid;
            }
        }
    }

    int newSecret() {
        return random.nextInt();
    }

    void remove(int pid) {
        byPid.remove(pid);
    }

    void cancel(int pid, int secret) {
        ClientSession session = byPid.get(pid);
        byte[] presented = java.nio.ByteBuffer.allocate(4).putInt(secret).array();
        if (session == null
                || !MessageDigest.isEqual(
                        presented,
                        java.nio.ByteBuffer.allocate(4).putInt(session.secret()).array())) {
            LOG.debug("postgres proxy: a CancelRequest for an unknown session was ignored");
            return;
        }
        session.cancel();
    }

    /** Ends every session (the listener is stopping). */
    void closeAll() {
        byPid.values().forEach(ClientSession::close);
    }

    int size() {
        return byPid.size();
    }
}
