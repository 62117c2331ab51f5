package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.breaker.CircuitBreakers;
import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The circuit breakers as the workflow uses them: one set of counts for every path that feeds them
 * (submissions and human denials), and the trips they report, stored, logged and told.
 */
final class BreakerTrips {
    private final CircuitBreakers breakers = new CircuitBreakers();
    private final ChangeNotices notices;

    BreakerTrips(ChangeNotices notices) {
        this.notices = requireNonNull(notices, "notices is null");
    }

    /** Counts a decided action against the policy's breakers; a tripped breaker tightens the decision. */
    CircuitBreakers.Verdict apply(
            Transaction tx, String agent, Decision decision, List<Breaker> policyBreakers, Instant now) {
        return breakers.apply(agent, decision, policyBreakers, now, tx::trippedBreaker);
    }

    /** Counts a human's denial against the breakers that count them (on: human_denied | any_denied). */
    List<CircuitBreakers.Trip> humanDenied(Transaction tx, String agent, List<Breaker> policyBreakers, Instant now) {
        return breakers.humanDenied(agent, policyBreakers, now, tx::trippedBreaker);
    }

    /** Stores each breaker this action tripped, logs the trip, and tells who approves under the breaker (or the admins). */
    void record(Transaction tx, List<CircuitBreakers.Trip> trips, ApprovalRequest request, Instant now) {
        for (CircuitBreakers.Trip trip : trips) {
            // False when the trip is already stored (another node's, committed since): that node logged and told.
            if (tx.tripBreaker(trip.state(request.id().value()))) {
                tx.append(trip.event(request.id().value()));
                for (String group : trip.breaker().groupsToTell()) {
                    notices.notice(
                            tx,
                            new Notifier.Notice(group, trip.subject(), trip.text(), Optional.of(request.id())),
                            now);
                }
            }
        }
    }
}
