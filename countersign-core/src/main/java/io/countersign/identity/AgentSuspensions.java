package io.countersign.identity;

import java.util.List;
import java.util.Optional;

/**
 * Which agents are suspended. A suspended agent's every action is denied at once, whatever its
 * credential (API key or client-credentials token). Names compare without regard to case, as
 * agent names do in the credential store.
 */
public interface AgentSuspensions {

    Optional<Suspension> suspensionOf(String agentName);

    /** Records the suspension; returns false (and changes nothing) when the agent was already suspended. */
    boolean suspend(Suspension suspension);

    /** Lifts the suspension; returns false when the agent was not suspended. */
    boolean resume(String agentName);

    List<Suspension> suspended();

    /** For tests and setups without suspensions: nobody is ever suspended. */
    AgentSuspensions NONE = new AgentSuspensions() {
        @Override
        public Optional<Suspension> suspensionOf(String agentName) {
            return Optional.empty();
        }

        @Override
        public boolean suspend(Suspension suspension) {
            throw new UnsupportedOperationException("this setup keeps no suspensions");
        }

        @Override
        public boolean resume(String agentName) {
            return false;
        }

        @Override
        public List<Suspension> suspended() {
            return List.of();
        }
    };
}
