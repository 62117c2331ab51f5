package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.Human;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records a vote the vote rule refused as a {@code vote.refused} audit entry: who tried, on
 * which request, with which choice, through which channel, and why not (the human the request
 * acts for, a non-member, a second vote, a request no longer pending, a break-glass outside its
 * group). A refusal is an authorization event an auditor must see, not bad input: malformed
 * input is refused before the vote rule runs and still leaves nothing.
 *
 * <p>The refusal is found inside the vote's transaction, which then rolls back; the entry is
 * appended in a transaction of its own afterwards, so the refused vote itself never lands. A
 * step-up refusal (sign in again, then vote) is a prompt, not a refusal, and is not recorded.
 */
final class RefusedVotes {
    private final Store store;
    private final MillisClock clock;

    RefusedVotes(Store store, MillisClock clock) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A vote refused inside the transaction: the request as it was and the answer to give the caller. */
    static final class Refused extends RuntimeException {
        private final transient ApprovalRequest request;
        private final WorkflowException answer;

        Refused(ApprovalRequest request, WorkflowException answer) {
            super(answer.getMessage(), null, false, false);
            this.request = requireNonNull(request, "request is null");
            this.answer = requireNonNull(answer, "answer is null");
        }

        String reason() {
            return Objects.requireNonNullElse(answer.getMessage(), "refused");
        }
    }

    /** Runs {@code check}; a {@link WorkflowException.Conflict} it throws (no longer pending) becomes a refusal. */
    static void refusedWhenNotPending(ApprovalRequest request, Runnable check) {
        try {
            check.run();
        } catch (WorkflowException.Conflict notPending) {
            throw new Refused(request, notPending);
        }
    }

    /** The exception to throw for the vote rule's refusal: step-up passes through unrecorded. */
    static RuntimeException refusal(ApprovalRequest request, VotingRule.Refusal refusal) {
        return refusal.stepUpRequired()
                ? new WorkflowException.StepUpRequired(refusal.reason())
                : new Refused(request, new WorkflowException.Forbidden(refusal.reason()));
    }

    /**
     * Runs a vote; when its transaction threw {@link Refused} (and so rolled back), appends the
     * {@code vote.refused} entry and throws the caller's answer (403, or 409 when no longer pending).
     */
    ApprovalRequest recording(Voter voter, Vote.Choice choice, String channel, Supplier<ApprovalRequest> vote) {
        try {
            return vote.get();
        } catch (Refused refused) {
            record(voter, choice, channel, refused.request, refused.reason());
            throw refused.answer;
        }
    }

    /** Records a refusal a channel found itself ({@code Workflow.whyNotAllowedToVote}); step-up is not recorded. */
    void record(Voter voter, Vote.Choice choice, String channel, ApprovalRequest request, VotingRule.Refusal refusal) {
        if (!refusal.stepUpRequired()) {
            record(voter, choice, channel, request, refusal.reason());
        }
    }

    private void record(Voter voter, Vote.Choice choice, String channel, ApprovalRequest request, String why) {
        requireNonNull(voter, "voter is null");
        requireNonNull(choice, "choice is null");
        requireNonNull(channel, "channel is null");
        requireNonNull(request, "request is null");
        Human human = voter.human();
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("choice", choice.wireName());
        data.put("voter", human.name());
        data.put("email", human.email());
        ArrayNode groups = data.putArray("groups");
        human.groups().stream().sorted().forEach(groups::add);
        data.put("channel", channel);
        data.put("status", request.status().wireName());
        data.put("reason", why);
        if (voter.breaksGlass()) {
            data.put("breakGlass", true);
        }
        Instant now = clock.now();
        store.transact(tx -> tx.append(new AuditEvent(
                AuditEventType.VOTE_REFUSED,
                now,
                human.auditName(),
                Optional.of(request.id().value()),
                data)));
    }
}
