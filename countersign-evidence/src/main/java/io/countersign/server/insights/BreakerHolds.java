package io.countersign.server.insights;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The circuit breakers that held a recorded decision. The gateway writes a held decision's reason
 * as {@code breaker 'NAME' is tripped for agent ...} (one clause per breaker, joined by "; ",
 * before the policy's own reason in {@code [policy: ...]}) and, for a breaker with an approval of
 * its own, adds its requirement as rule {@code breaker:NAME}; either marks the hold.
 */
final class BreakerHolds {
    private static final Pattern HOLD = Pattern.compile("(?:^|; )breaker '([^']+)' is tripped for agent ");
    private static final String APPROVAL_PREFIX = "breaker:";

    private BreakerHolds() {}

    /** The names of the breakers that held this decision; empty when none did. */
    static Set<String> of(Decision decision) {
        Set<String> names = new LinkedHashSet<>();
        int policyPart = decision.reason().lastIndexOf(" [policy: ");
        if (policyPart >= 0) {
            Matcher matcher = HOLD.matcher(decision.reason().substring(0, policyPart));
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        decision.approvals().stream()
                .map(ApprovalRequirement::rule)
                .filter(rule -> rule.startsWith(APPROVAL_PREFIX))
                .forEach(rule -> names.add(rule.substring(APPROVAL_PREFIX.length())));
        return names;
    }

    static boolean held(Decision decision) {
        return !of(decision).isEmpty();
    }
}
