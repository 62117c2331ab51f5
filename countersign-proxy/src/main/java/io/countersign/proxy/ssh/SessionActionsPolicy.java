package io.countersign.proxy.ssh;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import java.util.List;
import java.util.Set;

/**
 * The policy the SSH gateways decide through: the gateway's policy, except that an interactive
 * shell, an SFTP session or a port forward that no rule names is denied even under
 * {@code default: allow}. Those are sessions whose every keystroke is unreviewed, so only a rule
 * written for them may allow them or send them to a human.
 */
public final class SessionActionsPolicy implements PolicyEngine {
    static final String RULE = "proxies.ssh.sessions-need-a-rule";
    private static final Set<String> SESSIONS = Set.of(SshActions.SHELL, SshActions.SFTP, SshActions.FORWARD);

    private final PolicyEngine policy;

    public SessionActionsPolicy(PolicyEngine policy) {
        this.policy = requireNonNull(policy, "policy is null");
    }

    @Override
    public Decision decide(DecisionInput input) {
        Decision decided = policy.decide(input);
        if (SESSIONS.contains(input.action().action())
                && decided.rules().isEmpty()
                && decided.effect() != Effect.DENY) {
            return new Decision(
                    Effect.DENY,
                    List.of(RULE),
                    input.action().action() + " is denied unless a policy rule names it (no rule matched)",
                    policy.version(),
                    List.of());
        }
        return decided;
    }

    @Override
    public String version() {
        return policy.version();
    }

    @Override
    public List<Breaker> breakers() {
        return policy.breakers();
    }
}
