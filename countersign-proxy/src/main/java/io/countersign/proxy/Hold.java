package io.countersign.proxy;

import static java.util.Objects.requireNonNull;

import io.countersign.workflow.RequestId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A protocol's part of holding an action for a human: tell the agent at once which requests wait
 * and where a human decides them, and say when the agent has gone (so the seam cancels them).
 */
public interface Hold {

    /** Called once, before waiting, with the requests still pending. */
    void held(List<Pending> pending);

    /**
     * Why the agent is no longer waiting (disconnected, cancelled the statement), or empty while it
     * is. Polled every {@link Enforcement#PRESENCE_CHECK} while held, on the enforcing thread.
     */
    Optional<String> gone();

    /**
     * When this protocol stops waiting and leaves the requests pending, for an agent that comes
     * back for them ({@link Enforcement#resume}); empty (the default) waits until they are decided
     * or expire. The seam then answers {@link Outcome.Reason#AWAITING} and cancels nothing.
     */
    default Optional<Instant> deadline() {
        return Optional.empty();
    }

    /** One pending request: its id, its console page, and why the policy wants a human. */
    record Pending(RequestId id, String action, String resource, String consoleUrl, String reason) {
        public Pending {
            requireNonNull(id, "id is null");
            requireNonNull(action, "action is null");
            requireNonNull(resource, "resource is null");
            requireNonNull(consoleUrl, "consoleUrl is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /** For protocols that can't be held (nothing to tell, nobody who leaves). */
    Hold NEVER_GONE = new Hold() {
        @Override
        public void held(List<Pending> pending) {}

        @Override
        public Optional<String> gone() {
            return Optional.empty();
        }
    };
}
