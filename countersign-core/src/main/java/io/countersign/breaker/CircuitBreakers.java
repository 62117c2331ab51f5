package io.countersign.breaker;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies the policy's breakers to a decision: counts the action in each breaker that applies,
 * trips the ones it pushes over their {@code max}, and makes the decision at least as strict as
 * every tripped breaker's {@code then}. The action that makes a count exceed {@code max} (the
 * {@code max + 1}-th within the window) is itself held. While a breaker is tripped for an agent,
 * its actions are not counted, so counting starts from zero once a human resets it.
 *
 * <p>Thread-safe. The windows are this node's (see {@link BreakerWindows}); the tripped state is
 * read and written by the caller in its transaction.
 */
public final class CircuitBreakers {
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

    private final BreakerWindows windows = new BreakerWindows();
    private volatile Instant lastPruned = Instant.EPOCH;

    /** Reads whether a breaker is tripped for an agent, in the caller's transaction. */
    @FunctionalInterface
    public interface TrippedState {
        Optional<TrippedBreaker> find(String agent, String breaker);
    }

    /** The decision to record, and the breakers this action tripped (for the caller to store, log and tell). */
    public record Verdict(Decision decision, List<Trip> trips) {
        public Verdict {
            requireNonNull(decision, "decision is null");
            trips = List.copyOf(requireNonNull(trips, "trips is null"));
        }
    }

    /** One breaker tripping for one agent, at {@code at}, with {@code count} actions in its window. */
    public record Trip(Breaker breaker, String agent, int count, Instant at) {
        public Trip {
            requireNonNull(breaker, "breaker is null");
            requireNonNull(agent, "agent is null");
            requireNonNull(at, "at is null");
        }

        /** The durable state, naming the request that tripped the breaker. */
        public TrippedBreaker state(String requestId) {
            return new TrippedBreaker(agent, breaker.name(), at, count, breaker.per(), Optional.of(requestId));
        }

        /** The {@code breaker.tripped} audit event; the actor is the system, the agent is in the data. */
        public AuditEvent event(String requestId) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("agent", agent);
            data.put("breaker", breaker.name());
            data.put("counting", breaker.counting());
            data.put("count", count);
            data.put("max", breaker.max());
            data.put("window", breaker.per().toString());
            data.put("then", breaker.then().wireName());
            return new AuditEvent(AuditEventType.BREAKER_TRIPPED, at, "system", Optional.of(requestId), data);
        }

        public String subject() {
            return "Circuit breaker '" + breaker.name() + "' tripped for agent " + agent;
        }

        public String text() {
            return "Agent " + agent + " made " + count + " " + breaker.counting() + " within " + human(breaker.per())
                    + " (more than " + breaker.max() + "). Until a human resets the breaker, its actions under it get "
                    + breaker.then().wireName() + ". An admin resets it with: countersign breakers reset " + agent + " "
                    + breaker.name()
                    + " --comment WHY, or POST /v1/admin/breakers/" + agent + "/" + breaker.name() + "/reset.";
        }
    }

    /** A breaker holding this action, and since when. */
    private record Hold(Breaker breaker, Instant since, int count) {
        String why(String agent) {
            return "breaker '" + breaker.name() + "' is tripped for agent " + agent + " since " + since + " (" + count
                    + " "
                    + breaker.counting() + " within " + human(breaker.per()) + ", more than " + breaker.max() + "): "
                    + breaker.then().wireName() + " until a human resets it";
        }
    }

    /**
     * Counts the action and applies the breakers.
     *
     * @param decision what the policy decided
     * @param breakers the breakers of the policy that decided
     */
    public Verdict apply(String agent, Decision decision, List<Breaker> breakers, Instant now, TrippedState state) {
        requireNonNull(agent, "agent is null");
        requireNonNull(decision, "decision is null");
        requireNonNull(breakers, "breakers is null");
        requireNonNull(now, "now is null");
        requireNonNull(state, "state is null");
        if (breakers.isEmpty()) {
            return new Verdict(decision, List.of());
        }
        pruneNowAndThen(breakers, now);
        List<Hold> holds = new ArrayList<>();
        List<Trip> trips = new ArrayList<>();
        for (Breaker breaker : breakers) {
            if (!breaker.covers(agent, decision)) {
                continue;
            }
            Optional<TrippedBreaker> tripped = state.find(agent, breaker.name());
            if (tripped.isPresent()) {
                holds.add(new Hold(
                        breaker, tripped.get().trippedAt(), tripped.get().count()));
                continue;
            }
            if (!breaker.counts(agent, decision)) {
                continue;
            }
            int count = windows.count(agent, breaker, now);
            if (count > breaker.max()) {
                windows.clear(agent, breaker.name());
                trips.add(new Trip(breaker, agent, count, now));
                holds.add(new Hold(breaker, now, count));
            }
        }
        return new Verdict(holds.isEmpty() ? decision : held(agent, decision, holds), trips);
    }

    /**
     * Counts a human's denial of a request of {@code agent} in the breakers that count humans'
     * denials ({@code on: human_denied | any_denied}) and returns the ones it trips: they hold the
     * agent's next actions. A breaker already tripped for the agent counts nothing.
     */
    public List<Trip> humanDenied(String agent, List<Breaker> breakers, Instant now, TrippedState state) {
        requireNonNull(agent, "agent is null");
        requireNonNull(breakers, "breakers is null");
        requireNonNull(now, "now is null");
        requireNonNull(state, "state is null");
        List<Trip> trips = new ArrayList<>();
        for (Breaker breaker : breakers) {
            if (!breaker.countsHumanDenial(agent)
                    || state.find(agent, breaker.name()).isPresent()) {
                continue;
            }
            int count = windows.count(agent, breaker, now);
            if (count > breaker.max()) {
                windows.clear(agent, breaker.name());
                trips.add(new Trip(breaker, agent, count, now));
            }
        }
        return trips;
    }

    /** The decision made at least as strict as every holding breaker's {@code then}, saying which breakers and why. */
    private static Decision held(String agent, Decision decision, List<Hold> holds) {
        Effect effect = decision.effect();
        for (Hold hold : holds) {
            effect = effect.strictest(hold.breaker().then());
        }
        List<ApprovalRequirement> approvals = List.of();
        if (effect == Effect.REQUIRE_APPROVAL) {
            // Every hold's then is require_approval here (a then is never allow), and the policy's own
            // requirements still stand when it asked for approval itself.
            Set<ApprovalRequirement> all = new LinkedHashSet<>(decision.approvals());
            holds.forEach(hold -> all.add(hold.breaker()
                    .approval()
                    .orElseThrow(() -> new IllegalStateException("bug: breaker '"
                            + hold.breaker().name() + "' holds with require_approval but has no approval"))));
            approvals = List.copyOf(all);
        }
        String reason =
                String.join("; ", holds.stream().map(hold -> hold.why(agent)).toList()) + " [policy: "
                        + decision.reason() + "]";
        // A breaker that holds an allowed action keeps the rules' column masks for when it is approved.
        return new Decision(
                effect,
                decision.rules(),
                reason,
                decision.policyVersion(),
                approvals,
                effect == Effect.DENY ? List.of() : decision.masks());
    }

    private void pruneNowAndThen(List<Breaker> breakers, Instant now) {
        if (now.isBefore(lastPruned.plus(PRUNE_EVERY))) {
            return;
        }
        lastPruned = now;
        Duration longest =
                breakers.stream().map(Breaker::per).max(Duration::compareTo).orElseThrow();
        windows.prune(now, longest);
    }

    /** {@code 1m}, {@code 90s}, {@code 2h}: how policies write durations. */
    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
