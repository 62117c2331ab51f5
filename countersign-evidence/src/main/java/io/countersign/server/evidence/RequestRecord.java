package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.OnBehalfOf;
import io.countersign.identity.Person;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One privileged action of the population, as its audit entries tell it: who asked, for whom,
 * what, what the policy said, who voted how and where, how it ended, and which entries say so.
 *
 * @param onBehalfOf what the agent sent, empty for nobody
 * @param onBehalfOfPerson whom it resolved to at submission, when the entry says (entries from before it was logged don't)
 * @param grantExpiresAt when the grant issued for it expires; empty when none was issued
 */
public record RequestRecord(
        String id,
        Instant createdAt,
        String agent,
        String onBehalfOf,
        Optional<Person> onBehalfOfPerson,
        String delegation,
        String action,
        String resource,
        String effect,
        List<String> rules,
        String policyVersion,
        String status,
        Optional<Instant> decidedAt,
        String decidedBy,
        List<VoteRecord> votes,
        Optional<BreakGlassRecord> breakGlass,
        Optional<Instant> executedAt,
        String outcome,
        Optional<Instant> grantExpiresAt,
        List<Long> seqs) {

    public RequestRecord {
        requireNonNull(id, "id is null");
        requireNonNull(onBehalfOfPerson, "onBehalfOfPerson is null");
        requireNonNull(grantExpiresAt, "grantExpiresAt is null");
        rules = List.copyOf(rules);
        votes = List.copyOf(votes);
        seqs = List.copyOf(seqs);
    }

    /** Whom the request acted for, as the vote rule sees it; empty when it acted for nobody. */
    public Optional<OnBehalfOf> actingFor() {
        return onBehalfOf.isEmpty() ? Optional.empty() : Optional.of(new OnBehalfOf(onBehalfOf, onBehalfOfPerson));
    }

    /** A human's vote. */
    public record VoteRecord(
            String voter,
            String email,
            String choice,
            String channel,
            Instant time,
            String comment,
            boolean breakGlass) {
        public Person person() {
            return new Person(voter, email);
        }
    }

    /** A break-glass approval and its follow-up review. */
    public record BreakGlassRecord(
            String usedBy,
            String reason,
            Instant usedAt,
            Optional<String> acknowledgedBy,
            Optional<Instant> acknowledgedAt,
            String comment) {
        public boolean reviewOpen() {
            return acknowledgedBy.isEmpty();
        }
    }

    /** A grant was issued and no execution was ever reported: it may have run unreported. */
    public boolean grantUnreported() {
        return grantExpiresAt.isPresent() && executedAt.isEmpty();
    }

    /** Whether a human decided it (as opposed to the policy alone). */
    public boolean decidedByHuman() {
        return effect.equals("require_approval")
                && decidedAt.isPresent()
                && (status.equals("approved") || status.equals("denied"));
    }

    /** From creation to a human's decision; empty unless a human decided. */
    public Optional<Duration> timeToDecision() {
        return decidedByHuman() ? decidedAt.map(at -> Duration.between(createdAt, at)) : Optional.empty();
    }

    public List<String> approvers() {
        return votes.stream()
                .filter(v -> v.choice().equals("approve"))
                .map(VoteRecord::voter)
                .toList();
    }

    public List<String> deniers() {
        return votes.stream()
                .filter(v -> v.choice().equals("deny"))
                .map(VoteRecord::voter)
                .toList();
    }

    /** allowed, denied by policy, approved, denied, expired, cancelled or pending: one word for charts. */
    public String outcomeClass() {
        if (effect.equals("allow")) {
            return "allowed";
        }
        if (effect.equals("deny")) {
            return "denied by policy";
        }
        return status;
    }
}
