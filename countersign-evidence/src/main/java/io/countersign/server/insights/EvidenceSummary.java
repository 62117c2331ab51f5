package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a reviewer needs to judge a suggestion's evidence: the window the evidence really spans
 * (not the window searched), the distinct people who decided and how fast, their comments, and
 * examples with who decided each. Decisions taken within seconds by one person look like
 * rubber-stamping; {@link #rubberStamp()} says so.
 *
 * @param first when the earliest request of the evidence was created
 * @param last when the latest was
 * @param deciders the distinct people whose votes decided (one person under one name, whichever identity
 *     they used), with how many requests each
 * @param medianDecision the median time from request to decision
 * @param fastestDecision the shortest such time
 */
public record EvidenceSummary(
        Instant first,
        Instant last,
        Map<String, Integer> deciders,
        Duration medianDecision,
        Duration fastestDecision,
        List<String> comments,
        List<Example> examples) {
    static final int EXAMPLES = 10;
    private static final int COMMENTS = 10;
    private static final Duration QUICK = Duration.ofSeconds(10);

    public EvidenceSummary {
        requireNonNull(first, "first is null");
        requireNonNull(last, "last is null");
        deciders = Map.copyOf(deciders);
        requireNonNull(medianDecision, "medianDecision is null");
        requireNonNull(fastestDecision, "fastestDecision is null");
        comments = List.copyOf(comments);
        examples = List.copyOf(examples);
    }

    /** One request of the evidence, with who decided and how long it took. */
    public record Example(
            String id,
            String resource,
            Instant createdAt,
            List<String> decidedBy,
            Duration took,
            List<String> comments) {
        public Example {
            requireNonNull(id, "id is null");
            requireNonNull(resource, "resource is null");
            requireNonNull(createdAt, "createdAt is null");
            decidedBy = List.copyOf(decidedBy);
            requireNonNull(took, "took is null");
            comments = List.copyOf(comments);
        }
    }

    static EvidenceSummary of(List<ApprovalRequest> requests, Vote.Choice choice) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no evidence to summarise");
        }
        Map<String, Integer> deciders = new TreeMap<>();
        // One person is one decider whatever identity they voted with (a local token, an OIDC sign-in, a confusable
        // spelling): shown under the name they first voted with, so one person can't look like two.
        Map<String, String> nameOf = new HashMap<>();
        Set<String> comments = new LinkedHashSet<>();
        List<Duration> took = new ArrayList<>();
        List<Example> examples = new ArrayList<>();
        // Spread the examples over the evidence rather than taking the first few.
        int step = Math.max(1, requests.size() / EXAMPLES);
        for (int i = 0; i < requests.size(); i++) {
            ApprovalRequest request = requests.get(i);
            List<Vote> votes =
                    request.votes().stream().filter(v -> v.choice() == choice).toList();
            List<String> names = votes.stream()
                    .map(vote -> displayName(vote, nameOf))
                    .distinct()
                    .toList();
            names.forEach(name -> deciders.merge(name, 1, Integer::sum));
            List<String> said = votes.stream()
                    .map(Vote::comment)
                    .flatMap(Optional::stream)
                    .filter(text -> !text.isBlank())
                    .toList();
            said.forEach(comments::add);
            Duration decision =
                    Duration.between(request.createdAt(), request.decidedAt().orElse(request.createdAt()));
            took.add(decision);
            if (i % step == 0 && examples.size() < EXAMPLES) {
                examples.add(new Example(
                        request.id().value(), request.action().resource(), request.createdAt(), names, decision, said));
            }
        }
        List<Duration> sorted = took.stream().sorted().toList();
        Instant first = requests.stream()
                .map(ApprovalRequest::createdAt)
                .min(Comparator.naturalOrder())
                .orElseThrow();
        Instant last = requests.stream()
                .map(ApprovalRequest::createdAt)
                .max(Comparator.naturalOrder())
                .orElseThrow();
        return new EvidenceSummary(
                first,
                last,
                deciders,
                sorted.get(sorted.size() / 2),
                sorted.getFirst(),
                comments.stream().limit(COMMENTS).toList(),
                examples);
    }

    /** The name a voter's person is shown under: the first they voted with, with the email if another person has it. */
    private static String displayName(Vote vote, Map<String, String> nameOf) {
        String person = vote.person().id().value();
        return nameOf.computeIfAbsent(
                person,
                id -> nameOf.containsValue(vote.voter()) ? vote.voter() + " <" + vote.email() + ">" : vote.voter());
    }

    /** One person decided it all, each within seconds: what a reviewer should look at twice. */
    public boolean rubberStamp() {
        return deciders.size() == 1 && medianDecision.compareTo(QUICK) <= 0;
    }

    /** {@code 3 minutes}, {@code 12 days}: how long the evidence spans, for summaries. */
    String span() {
        Duration span = Duration.between(first, last);
        if (span.toDays() >= 2) {
            return span.toDays() + " days";
        }
        if (span.toHours() >= 2) {
            return span.toHours() + " hours";
        }
        if (span.toMinutes() >= 2) {
            return span.toMinutes() + " minutes";
        }
        return span.toSeconds() + " seconds";
    }

    /** For summaries: {@code between A and B (12 days), by 3 people (alice 20, ...), median 2m to decide}. */
    public String describe() {
        // Map.copyOf keeps no order (and changes it from run to run); a summary reads alike every time.
        List<String> who = new ArrayList<>();
        new TreeMap<>(deciders).forEach((name, count) -> who.add(name + " " + count));
        return "between " + first + " and " + last + " (" + span() + "), by " + deciders.size()
                + (deciders.size() == 1 ? " person" : " people") + " (" + String.join(", ", who) + "), median "
                + seconds(medianDecision) + " to decide"
                + (rubberStamp() ? " (one person, within seconds: rubber-stamping?)" : "");
    }

    private static String seconds(Duration duration) {
        long s = duration.toSeconds();
        return s >= 120 ? s / 60 + "m" : s + "s";
    }
}
