package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.Scopes;

/**
 * An OIDC client registered as an agent: a client-credentials token whose {@code sub} is
 * {@code subject} authenticates as {@code agent}, limited to {@code scopes}. Only {@code sub} is
 * matched, never {@code azp}: a human signed in through that client carries its id in
 * {@code azp} and must not become the agent.
 */
public record ClientAgent(String subject, Agent agent, Scopes scopes) {
    public ClientAgent {
        requireNonNull(subject, "subject is null");
        requireNonNull(agent, "agent is null");
        requireNonNull(scopes, "scopes is null");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("agent " + agent.name() + ": client id is blank");
        }
    }
}
