package io.countersign.policy;

import java.util.List;

/**
 * Decides actions. Implementations are thread-safe and never throw for a well-formed input: a
 * condition that fails at evaluation time counts as not matching for allow rules and as matching
 * for deny and require_approval rules (deny on doubt), and the decision's reason says so.
 */
public interface PolicyEngine {
    Decision decide(DecisionInput input);

    /** The content hash of the policy that is deciding now. */
    String version();

    /** The circuit breakers of the policy that is deciding now; none unless the policy has some. */
    default List<Breaker> breakers() {
        return List.of();
    }
}
