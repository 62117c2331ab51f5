package io.countersign.server.policychange;

import io.countersign.policy.Policy;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * What approvers of a policy change read beside its text: the replay of the proposed policy over
 * the recorded requests (how many change, which ones humans denied would now pass), and, for a
 * change that adopts a suggestion, that suggestion's evidence. The insights supply it; the
 * policy-change flow only carries it into the request.
 */
public interface ChangeReview {
    /** The replay's impact; empty when there is no history to replay. */
    Optional<ObjectNode> impact(Policy proposed);

    /**
     * The current suggestion of that rule name, with its evidence.
     *
     * @throws IllegalArgumentException naming the suggestion when none of that name is made now
     */
    ObjectNode evidence(String suggestion);

    /** No review: no replay, and no suggestion to adopt. */
    ChangeReview NONE = new ChangeReview() {
        @Override
        public Optional<ObjectNode> impact(Policy proposed) {
            return Optional.empty();
        }

        @Override
        public ObjectNode evidence(String suggestion) {
            throw new IllegalArgumentException("no suggestion '" + suggestion + "': this gateway makes none");
        }
    };
}
