package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The {@code tools/call}s the gateway is working on, each with the client that waits for it, so
 * that a call whose client gave up is never run later (invariant 9). A call is gone when its client
 * sends {@code notifications/cancelled} for it, when its channel closes (stdin closed, the HTTP
 * connection dropped, the session ended) or when the gateway stops. Whoever holds the call
 * (the gateway, waiting for a human) is told once, with why.
 */
final class CallsInFlight {
    private final Map<String, Call> byToken = new ConcurrentHashMap<>();

    /** One call: whose it is, on which channel (stdio, one HTTP request, one session), and its JSON-RPC id. */
    static final class Call {
        private final String token;
        private final String agent;
        private final String channel;
        private final String requestId;
        private final AtomicReference<Optional<String>> gone = new AtomicReference<>(Optional.empty());
        private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
        private volatile Optional<Probe> probe = Optional.empty();

        private Call(String token, String agent, String channel, String requestId) {
            this.token = token;
            this.agent = agent;
            this.channel = channel;
            this.requestId = requestId;
        }

        String token() {
            return token;
        }

        /** Why the client is gone, once it is. */
        Optional<String> gone() {
            return java.util.Objects.requireNonNullElse(gone.get(), Optional.empty());
        }

        /**
         * Runs {@code listener} with why, once, when the client goes; at once if it is already gone.
         * The returned subscription stops it.
         */
        ToolService.Subscription whenGone(Consumer<String> listener) {
            requireNonNull(listener, "listener is null");
            listeners.add(listener);
            Optional<String> already = gone();
            if (already.isPresent() && listeners.remove(listener)) {
                listener.accept(already.get());
            }
            return () -> listeners.remove(listener);
        }

        /** How to find out, while the call is held, whether the client is still there; replaces the one before. */
        void probeWith(Probe check) {
            probe = Optional.of(requireNonNull(check, "check is null"));
        }

        /** Checks that the client is still there (a write or a ping); marks the call gone if not. */
        void probe() {
            if (gone().isPresent() || probe.isEmpty()) {
                return;
            }
            try {
                probe.get().check();
            } catch (Exception e) {
                markGone(probe.get().failure());
            }
        }

        void markGone(String why) {
            if (!gone.compareAndSet(Optional.empty(), Optional.of(why))) {
                return;
            }
            for (Consumer<String> listener : listeners) {
                if (listeners.remove(listener)) {
                    listener.accept(why);
                }
            }
        }
    }

    /** A check that the client still listens, which throws when it does not. */
    interface Probe {
        void check() throws Exception;

        /** What a failed check means, for the request's resolution. */
        String failure();
    }

    /** Registers a call of {@code agent} with JSON-RPC id {@code requestId} on {@code channel}; {@link #close} it when answered. */
    Call open(String agent, String channel, String requestId) {
        String token = UUID.randomUUID().toString();
        Call call = new Call(
                token,
                requireNonNull(agent, "agent is null"),
                requireNonNull(channel, "channel is null"),
                requireNonNull(requestId, "requestId is null"));
        byToken.put(token, call);
        return call;
    }

    /** The call a tagged {@code tools/call} carries the token of, if it is still open. */
    Optional<Call> find(String token) {
        return Optional.ofNullable(byToken.get(token));
    }

    /** The call was answered: nothing waits on its client any more. */
    void close(Call call) {
        byToken.remove(call.token(), call);
    }

    /** {@code agent} sent {@code notifications/cancelled} for {@code requestId} on {@code channel}. */
    void cancelled(String agent, String channel, String requestId, String why) {
        byToken.values().stream()
                .filter(call ->
                        call.agent.equals(agent) && call.channel.equals(channel) && call.requestId.equals(requestId))
                .forEach(call -> call.markGone(why));
    }

    /** {@code channel} closed: every call on it is gone. */
    void channelClosed(String channel, String why) {
        byToken.values().stream().filter(call -> call.channel.equals(channel)).forEach(call -> call.markGone(why));
    }

    /** The gateway stops: every call is gone. */
    void allGone(String why) {
        byToken.values().forEach(call -> call.markGone(why));
    }
}
