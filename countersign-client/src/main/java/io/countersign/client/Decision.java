package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What the policy decided for an action: the effect, the rules that matched (empty when the
 * policy's default applied), the policy's reason if it gave one, and the content hash of the
 * policy version that decided.
 */
public record Decision(Effect effect, List<String> rules, Optional<String> reason, String policyVersion) {

    public Decision {
        requireNonNull(effect, "effect is null");
        requireNonNull(rules, "rules is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(policyVersion, "policyVersion is null");
        rules = List.copyOf(rules);
    }
}
