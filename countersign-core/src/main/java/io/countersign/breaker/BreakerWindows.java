package io.countersign.breaker;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Breaker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The sliding windows breakers count in, one per agent and breaker, in this node's memory: an
 * action at {@code t} is in the window of {@code now} when {@code t > now - per}. Each window keeps
 * at most {@code max + 1} instants, which is all it takes to see the count exceed {@code max}.
 *
 * <p>Per node: with several gateway nodes, each counts the actions it receives, so an agent
 * spreading over {@code k} nodes may make up to {@code k * max} actions before some node trips the
 * breaker; a restart starts the counts afresh. The tripped state itself is in the store.
 */
public final class BreakerWindows {
    private record Key(String agent, String breaker) {}

    private final Map<Key, ArrayDeque<Instant>> windows = new HashMap<>();

    /** Counts one action at {@code now}; returns how many the window holds with it. */
    public synchronized int count(String agent, Breaker breaker, Instant now) {
        requireNonNull(agent, "agent is null");
        requireNonNull(now, "now is null");
        ArrayDeque<Instant> window = windows.computeIfAbsent(new Key(agent, breaker.name()), key -> new ArrayDeque<>());
        dropOlderThan(window, now.minus(breaker.per()));
        window.addLast(now);
        while (window.size() > breaker.max() + 1) {
            window.removeFirst();
        }
        return window.size();
    }

    /** Forgets the agent's window: a trip consumes the actions that caused it, so a reset starts from zero. */
    public synchronized void clear(String agent, String breaker) {
        windows.remove(new Key(agent, breaker));
    }

    /** Drops windows with nothing left in them, so agents that went quiet cost no memory. */
    public synchronized void prune(Instant now, Duration longestWindow) {
        Instant oldest = now.minus(longestWindow);
        windows.values().removeIf(window -> {
            dropOlderThan(window, oldest);
            return window.isEmpty();
        });
    }

    synchronized int size() {
        return windows.size();
    }

    private static void dropOlderThan(ArrayDeque<Instant> window, Instant edge) {
        while (!window.isEmpty() && !window.peekFirst().isAfter(edge)) {
            window.removeFirst();
        }
    }
}
