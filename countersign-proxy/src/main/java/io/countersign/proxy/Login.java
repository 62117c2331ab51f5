package io.countersign.proxy;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.Scopes;

/** What presenting an agent's name and key gave: the agent with its key's scopes, or why it was refused. */
public sealed interface Login {

    record Admitted(Agent agent, Scopes scopes) implements Login {
        public Admitted {
            requireNonNull(agent, "agent is null");
            requireNonNull(scopes, "scopes is null");
        }
    }

    /** {@code reason} is safe to show to the client: it names no secret. */
    record Refused(String reason) implements Login {
        public Refused {
            requireNonNull(reason, "reason is null");
        }
    }
}
