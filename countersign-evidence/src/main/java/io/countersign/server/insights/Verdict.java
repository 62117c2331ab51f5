package io.countersign.server.insights;

import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;

/**
 * What the humans made of a request that asked them: the evidence insights count. Only requests
 * the policy sent to humans count; the rest ({@link #NOT_EVIDENCE}) neither support nor contradict
 * a suggestion. An expiry or a break-glass approval is not a normal decision and breaks unanimity.
 */
enum Verdict {
    APPROVED,
    DENIED,
    /** Nobody decided in time: not the "approved every time" or "denied every time" of a suggestion. */
    EXPIRED,
    /** Approved in an emergency by break-glass: not evidence of the normal path. */
    BREAK_GLASS,
    /** Allowed or denied by the policy itself, still pending, cancelled, or resolved by the system (suspension). */
    NOT_EVIDENCE;

    static Verdict of(ApprovalRequest request) {
        if (request.decision().effect() != Effect.REQUIRE_APPROVAL) {
            return NOT_EVIDENCE;
        }
        boolean byHuman =
                request.decidedBy().filter(by -> by.startsWith("human:")).isPresent();
        return switch (request.status()) {
            case PENDING, CANCELLED -> NOT_EVIDENCE;
            case EXPIRED -> EXPIRED;
            case DENIED -> byHuman ? DENIED : NOT_EVIDENCE;
            case APPROVED, EXECUTED, FAILED ->
                request.breakGlass().isPresent() ? BREAK_GLASS : byHuman ? APPROVED : NOT_EVIDENCE;
        };
    }
}
