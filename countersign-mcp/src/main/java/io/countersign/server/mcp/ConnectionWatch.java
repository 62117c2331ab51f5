package io.countersign.server.mcp;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;

/**
 * Marks a call gone when the HTTP connection it came on fails or closes while the gateway works on
 * it (the agent's client was killed, or dropped the request), so a held call is cancelled rather
 * than approved and run when nobody waits for it. Jetty tells of a connection that closed or failed;
 * closing the watch stops listening (a connection outlives its requests).
 */
final class ConnectionWatch implements AutoCloseable {
    private static final ConnectionWatch NONE = new ConnectionWatch(Optional.empty(), Optional.empty());

    private final Optional<Connection> connection;
    private final Optional<Connection.Listener> listener;

    private ConnectionWatch(Optional<Connection> connection, Optional<Connection.Listener> listener) {
        this.connection = connection;
        this.listener = listener;
    }

    static ConnectionWatch of(HttpServletRequest servletRequest, Optional<CallsInFlight.Call> call) {
        if (call.isEmpty()) {
            return NONE;
        }
        CallsInFlight.Call watched = call.get();
        Request request;
        try {
            request = ServletContextRequest.getServletContextRequest(servletRequest);
        } catch (IllegalStateException e) {
            return NONE;
        }
        request.addFailureListener(failure -> watched.markGone(
                "the agent's HTTP connection failed (" + failure.getClass().getSimpleName() + ")"));
        Connection connection = request.getConnectionMetaData().getConnection();
        Connection.Listener closed = new Connection.Listener() {
            @Override
            public void onClosed(Connection closedConnection) {
                watched.markGone("the agent's HTTP connection closed");
            }
        };
        connection.addEventListener(closed);
        return new ConnectionWatch(Optional.of(connection), Optional.of(closed));
    }

    @Override
    public void close() {
        if (connection.isPresent() && listener.isPresent()) {
            connection.get().removeEventListener(listener.get());
        }
    }
}
