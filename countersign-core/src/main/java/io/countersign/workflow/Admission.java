package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Delegation;
import io.countersign.identity.KnownHumans;
import io.countersign.identity.OnBehalfOf;
import io.countersign.identity.Person;
import io.countersign.identity.PersonName;
import io.countersign.identity.Scopes;
import io.countersign.identity.Suspension;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import java.util.List;
import java.util.Optional;

/**
 * What is settled about an action before the policy is asked: whether its agent may ask at all
 * (not suspended, the action inside its credential's scopes), and whom its onBehalfOf names.
 */
final class Admission {
    private final PolicyEngine policy;
    private final AgentSuspensions suspensions;
    private final KnownHumans knownHumans;

    Admission(PolicyEngine policy, AgentSuspensions suspensions, KnownHumans knownHumans) {
        this.policy = requireNonNull(policy, "policy is null");
        this.suspensions = requireNonNull(suspensions, "suspensions is null");
        this.knownHumans = requireNonNull(knownHumans, "knownHumans is null");
    }

    /** The denial of an action the policy must not even see: the agent is suspended, or the action is outside its scopes. */
    Optional<Decision> admit(Agent agent, Action action, Scopes scopes) {
        Optional<Suspension> suspension = suspensions.suspensionOf(agent.name());
        if (suspension.isPresent()) {
            return Optional.of(new Decision(
                    Effect.DENY,
                    List.of(),
                    "agent " + agent.name() + " is suspended (since "
                            + suspension.get().at() + " by " + suspension.get().by() + ": "
                            + suspension.get().reason() + ")",
                    policy.version(),
                    List.of()));
        }
        if (!scopes.permits(action.action())) {
            return Optional.of(new Decision(
                    Effect.DENY,
                    List.of(),
                    "action '" + action.action() + "' is outside the scopes of agent " + agent.name() + "'s credential "
                            + scopes,
                    policy.version(),
                    List.of()));
        }
        return Optional.empty();
    }

    /**
     * The person the action's onBehalfOf resolves to: the verified one, else the one known human it
     * names, else nobody. A refused spelling ({@link PersonName#parse}) is a {@link
     * WorkflowException.BadInput}.
     */
    Optional<Person> resolveOnBehalfOf(Action action, Delegation delegation, Optional<Person> verified) {
        if (action.onBehalfOf().isEmpty()) {
            if (verified.isPresent()) {
                throw new IllegalArgumentException(
                        "a verified person (" + verified.get() + ") for an action on behalf of nobody");
            }
            return Optional.empty();
        }
        String sent = action.onBehalfOf().get();
        try {
            PersonName.parse(sent);
        } catch (PersonName.Invalid e) {
            throw new WorkflowException.BadInput(
                    "onBehalfOf", java.util.Objects.requireNonNullElse(e.getMessage(), "is not a valid name or email"));
        }
        if (verified.isPresent()) {
            if (delegation != Delegation.VERIFIED
                    || !OnBehalfOf.unresolved(sent).names(verified.get())) {
                throw new IllegalArgumentException("onBehalfOf '" + sent + "' is " + delegation.wireName()
                        + ", not verified for " + verified.get());
            }
            return verified;
        }
        return knownHumans.resolve(sent);
    }
}
