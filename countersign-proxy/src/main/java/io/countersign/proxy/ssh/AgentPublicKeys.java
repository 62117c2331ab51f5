package io.countersign.proxy.ssh;

import io.countersign.proxy.Login;
import java.security.PublicKey;

/**
 * How the SSH gateway checks a public key an agent logs in with: the gateway's identity module
 * implements it over the keys registered with {@code agents create --ssh-key}. Asked again before
 * each action, so a key removed (or an agent revoked) mid-session stops the session's next command.
 */
@FunctionalInterface
public interface AgentPublicKeys {

    /** The agent named {@code agentName} when {@code key} is registered to it and it may still act; otherwise why not. */
    Login authenticate(String agentName, PublicKey key);

    AgentPublicKeys NONE = (name, key) -> new Login.Refused("no SSH public keys are registered");
}
