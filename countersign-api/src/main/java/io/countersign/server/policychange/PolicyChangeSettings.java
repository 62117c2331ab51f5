package io.countersign.server.policychange;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code policyChanges:} section of the config: which groups approve a policy change proposed
 * through the API, how many distinct approvers it needs, how long the proposal waits, and whether
 * edits of the policy file on disk still hot-reload. No approvers: changes through the API are off.
 */
public record PolicyChangeSettings(Set<String> approvers, int quorum, Duration timeout, boolean reloadFromDisk) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(24);

    public PolicyChangeSettings {
        approvers = Set.copyOf(requireNonNull(approvers, "approvers is null"));
        requireNonNull(timeout, "timeout is null");
        if (quorum < 1) {
            throw new IllegalArgumentException("policyChanges.quorum is " + quorum + ", want at least 1");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("policyChanges.timeout is " + timeout + ", want a positive duration");
        }
    }

    /** No section: changes through the API are off, and the policy file hot-reloads from disk as before. */
    public static PolicyChangeSettings disabled() {
        return new PolicyChangeSettings(Set.of(), 1, DEFAULT_TIMEOUT, true);
    }

    public boolean enabled() {
        return !approvers.isEmpty();
    }
}
