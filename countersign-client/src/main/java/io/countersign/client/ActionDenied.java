package io.countersign.client;

import java.util.List;
import java.util.Optional;

/**
 * The request was denied, by the policy or by a human. {@link #deniedBy()} is empty when the
 * policy denied it; {@link #reason()} is the human's comment when a human denied it with one,
 * otherwise the policy's reason.
 */
public final class ActionDenied extends ActionNotAuthorized {

    public ActionDenied(ActionStatus status) {
        super(status, message(status));
    }

    private static String message(ActionStatus status) {
        String who = deniedBy(status).orElse(null);
        String by = who != null
                ? "by " + who
                : status.decision().rules().isEmpty()
                        ? "by the policy default"
                        : "by policy rule "
                                + String.join(", ", status.decision().rules());
        return describe(status) + " was denied " + by
                + reason(status).map(r -> ": " + r).orElse("");
    }

    /** The policy rules that matched, empty when the policy's default applied. */
    public List<String> rules() {
        return status().decision().rules();
    }

    /** Why, if anyone said: the denying human's comment, else the policy's reason. */
    public Optional<String> reason() {
        return reason(status());
    }

    /** The human who denied it; empty when the policy did. */
    public Optional<String> deniedBy() {
        return deniedBy(status());
    }

    private static Optional<String> deniedBy(ActionStatus status) {
        return status.decision().effect() == Effect.DENY ? Optional.empty() : status.decidedBy();
    }

    private static Optional<String> reason(ActionStatus status) {
        Optional<String> comment = deniedBy(status).flatMap(human -> status.votes().stream()
                .filter(vote -> vote.choice() == VoteChoice.DENY && vote.voter().equals(human))
                .reduce((first, second) -> second)
                .flatMap(Vote::comment));
        return comment.or(() -> status.decision().reason());
    }
}
