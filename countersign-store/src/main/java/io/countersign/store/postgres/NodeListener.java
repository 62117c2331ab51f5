package io.countersign.store.postgres;

import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestListener;
import io.countersign.workflow.RequestStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds this node's request listener with the decisions every node commits: one connection
 * that {@code LISTEN}s on {@value PostgresStore#CHANNEL} and a thread that blocks until a
 * notification arrives (no polling loop). A notification names a request and its new status;
 * only those that left {@code pending} are read and handed on, since only they wake long-polls.
 * When the connection breaks, it connects again after a second.
 */
final class NodeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeListener.class);
    private static final String PENDING = RequestStatus.PENDING.wireName();

    private final PostgresSettings settings;
    private final Function<RequestId, Optional<ApprovalRequest>> find;
    private final RequestListener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile @Nullable Connection connection;

    private NodeListener(
            PostgresSettings settings, Function<RequestId, Optional<ApprovalRequest>> find, RequestListener listener) {
        this.settings = settings;
        this.find = find;
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("postgres-listener").unstarted(this::run);
    }

    static NodeListener start(
            PostgresSettings settings, Function<RequestId, Optional<ApprovalRequest>> find, RequestListener listener) {
        NodeListener nodeListener = new NodeListener(settings, find, listener);
        try {
            nodeListener.connect(); // the first LISTEN is in place before start returns
        } catch (SQLException e) {
            LOG.warn("listening for other nodes' decisions failed; retrying: {}", e.getMessage());
        }
        nodeListener.thread.start();
        return nodeListener;
    }

    private Connection connect() throws SQLException {
        Connection fresh = settings.connect();
        PostgresStore.execute(fresh, "LISTEN " + PostgresStore.CHANNEL);
        connection = fresh;
        return fresh;
    }

    private void run() {
        while (!closed) {
            try {
                Connection current = connection; // read once: close() may clear it any time
                if (current == null) {
                    current = connect();
                }
                PGNotification[] notifications =
                        current.unwrap(PGConnection.class).getNotifications(0); // blocks
                if (notifications == null) {
                    continue;
                }
                for (PGNotification notification : notifications) {
                    deliver(notification.getParameter());
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("listening for other nodes' decisions failed; reconnecting in 1 s: {}", e.getMessage());
                closeConnection();
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void deliver(String payload) {
        int space = payload.indexOf(' ');
        if (space < 0 || payload.substring(space + 1).equals(PENDING)) {
            return;
        }
        try {
            find.apply(new RequestId(payload.substring(0, space))).ifPresent(listener::changed);
        } catch (RuntimeException e) {
            LOG.warn("handing on the change of request {} failed", payload.substring(0, space), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeConnection(); // ends the blocking wait
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeConnection() {
        Connection current = connection;
        connection = null;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException e) {
                LOG.debug("closing the listener connection failed", e);
            }
        }
    }
}
