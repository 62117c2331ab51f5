package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions to one upstream's resources that the gateway holds for its agents' sessions.
 * The upstream is subscribed to a URI once, while at least one session is: {@code
 * resources/subscribe} for the first, {@code resources/unsubscribe} after the last. A connection
 * started again has no subscriptions, so each is made again on it. Each update the upstream
 * reports goes to the sessions subscribed to its URI, and to no other.
 */
final class UpstreamSubscriptions {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamSubscriptions.class);

    private final Upstream upstream;
    /** Guarded by {@code this}; a URI is here exactly while the upstream is subscribed to it. */
    private final Map<String, List<Consumer<String>>> byUri = new LinkedHashMap<>();

    UpstreamSubscriptions(Upstream upstream) {
        this.upstream = requireNonNull(upstream, "upstream is null");
        upstream.onResourceUpdated(this::updated);
        upstream.onRestarted(this::subscribeAgain);
    }

    /**
     * Passes the upstream's updates of {@code uri} to {@code listener} until the returned
     * subscription is closed, subscribing the upstream if nobody else is; throws what the
     * upstream's refusal or failure is ({@link Upstream.Failure}), keeping nothing.
     */
    ToolService.Subscription add(String uri, Consumer<String> listener) {
        requireNonNull(uri, "uri is null");
        requireNonNull(listener, "listener is null");
        // One at a time per upstream: a subscribe must not overtake the unsubscribe of the last session before it.
        synchronized (this) {
            List<Consumer<String>> listeners = byUri.get(uri);
            if (listeners == null) {
                upstream.subscribe(uri);
                listeners = new CopyOnWriteArrayList<>();
                byUri.put(uri, listeners);
            }
            listeners.add(listener);
        }
        return new ToolService.Subscription() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (UpstreamSubscriptions.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    remove(uri, listener);
                }
            }
        };
    }

    /** Called holding the lock. */
    private void remove(String uri, Consumer<String> listener) {
        List<Consumer<String>> listeners = byUri.get(uri);
        if (listeners == null || !listeners.remove(listener) || !listeners.isEmpty()) {
            return;
        }
        byUri.remove(uri);
        if (upstream.down().isPresent()) {
            // Its next connection starts with no subscriptions.
            return;
        }
        try {
            upstream.unsubscribe(uri);
        } catch (RuntimeException e) {
            // Its updates of uri now go to nobody: the gateway drops them.
            LOG.warn("mcp upstream={} could not be unsubscribed from {}: {}", upstream.name(), uri, e.getMessage());
        }
    }

    private void updated(String uri) {
        List<Consumer<String>> listeners;
        synchronized (this) {
            listeners = byUri.get(uri);
        }
        if (listeners == null) {
            LOG.debug("mcp upstream={} reported an update of {}, which no session subscribed to", upstream.name(), uri);
            return;
        }
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(uri);
            } catch (RuntimeException e) {
                // One session that can't be told (gone, say) must not keep the others from hearing it.
                LOG.debug(
                        "mcp upstream={} telling a session of an update of {} failed: {}",
                        upstream.name(),
                        uri,
                        e.getMessage());
            }
        }
    }

    private void subscribeAgain() {
        List<String> uris;
        synchronized (this) {
            uris = new ArrayList<>(byUri.keySet());
        }
        for (String uri : uris) {
            try {
                upstream.subscribe(uri);
            } catch (RuntimeException e) {
                LOG.warn(
                        "mcp upstream={} started again, but subscribing it to {} again failed; its sessions hear of no"
                                + " updates of it: {}",
                        upstream.name(),
                        uri,
                        e.getMessage());
            }
        }
    }
}
