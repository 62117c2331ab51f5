package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.Secret;
import io.countersign.proxy.AgentAuthenticator;
import io.countersign.proxy.Login;

/**
 * The enforcing proxies' agent login: the presented password is a bearer token (an agent's API
 * key, or a client-credentials token), checked exactly as the API checks it, and it must belong
 * to the agent named as the user. Revoked, expired and unknown keys are refused with the reason.
 */
public final class ProxyAgents implements AgentAuthenticator {
    private final BearerTokens tokens;

    public ProxyAgents(BearerTokens tokens) {
        this.tokens = requireNonNull(tokens, "tokens is null");
    }

    @Override
    public Login authenticate(String agentName, Secret key) {
        requireNonNull(agentName, "agentName is null");
        requireNonNull(key, "key is null");
        Caller caller;
        try {
            caller = tokens.authenticate(key.reveal());
        } catch (TokenRejected e) {
            return new Login.Refused(e.getMessage());
        }
        if (!(caller.principal() instanceof Agent agent)) {
            return new Login.Refused("the password is a human's token; only an agent's API key may connect");
        }
        if (!agent.name().equals(agentName)) {
            return new Login.Refused("the API key is not one of agent " + agentName + "'s keys");
        }
        return new Login.Admitted(agent, caller.scopes());
    }
}
