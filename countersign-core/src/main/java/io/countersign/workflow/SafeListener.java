package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RequestListener}, told of a change once its transaction committed. The change is
 * durable by then, so a failing listener is logged and never fails the call that made it.
 */
final class SafeListener {
    private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

    private final RequestListener listener;

    SafeListener(RequestListener listener) {
        this.listener = requireNonNull(listener, "listener is null");
    }

    void changed(ApprovalRequest request) {
        try {
            listener.changed(request);
        } catch (RuntimeException e) {
            LOG.warn("request listener failed for {}", request.id(), e);
        }
    }
}
