package io.countersign.proxy;

import io.countersign.identity.Secret;

/**
 * How an enforcing adapter checks the agent on the wire: its name and the API key it presented.
 * The gateway's identity module implements it (the adapters never see how keys are stored); it is
 * asked again before each action, so a key revoked or expired mid-session stops the session.
 */
@FunctionalInterface
public interface AgentAuthenticator {

    /** The agent named {@code agentName} when {@code key} is one of its usable API keys; otherwise why not. */
    Login authenticate(String agentName, Secret key);
}
