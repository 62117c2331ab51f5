package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The rules of a policy that have expired or expire soon ({@code expiresAt}), soonest first: what
 * {@code policy check} reports and the console shows, so a loosening tried for a week is seen
 * ending (or kept on purpose) rather than forgotten.
 */
public final class RuleExpiries {
    /** How far ahead "soon" looks unless told otherwise. */
    public static final Duration SOON = Duration.ofDays(7);

    private RuleExpiries() {}

    /** A rule with its expiry, and whether that is past at the time asked. */
    public record Expiry(RuleSummary rule, Instant at, boolean expired) {
        public Expiry {
            requireNonNull(rule, "rule is null");
            requireNonNull(at, "at is null");
        }

        /** {@code rule 'x' (line 9) expired at T: it matches nothing now; remove it or move its expiry}. */
        public String describe(Instant now) {
            String rule = "rule '" + this.rule.name() + "' (line " + this.rule.line() + ")";
            if (expired) {
                return rule + " expired at " + at + ": it matches nothing now; remove it or move its expiresAt";
            }
            return rule + " expires at " + at + " (in "
                    + Duration.between(now, at).toHours() + "h)";
        }
    }

    /** The rules expired at {@code now} or expiring within {@code soon} of it, soonest first. */
    public static List<Expiry> of(Policy policy, Instant now, Duration soon) {
        requireNonNull(policy, "policy is null");
        requireNonNull(now, "now is null");
        requireNonNull(soon, "soon is null");
        Instant horizon = now.plus(soon);
        return policy.rules().stream()
                .filter(rule -> rule.expiresAt().isPresent())
                .map(rule -> new Expiry(rule, rule.expiresAt().get(), rule.expiredAt(now)))
                .filter(expiry -> expiry.at().isBefore(horizon))
                .sorted(Comparator.comparing(Expiry::at))
                .toList();
    }
}
