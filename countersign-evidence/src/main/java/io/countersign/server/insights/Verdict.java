package io.countersign.server.insights;

import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;

/**
 * What the humans made of a request that asked them: the evidence insights count. Only requests
 * the policy sent to humans count; the rest ({@link #NOT_EVIDENCE}) neither support nor contradict
 * a suggestion. An expiry or a break-glass approval is not a normal decision and breaks unanimity.
 * An approval of a request a circuit breaker held is not evidence either: the breaker, not the
 * policy, asked for it, and loosening on it would undo the breaker.
 */
enum Verdict {
    APPROVED,
    DENIED,
    /** Nobody decided in time: not the "approved every time" or "denied every time" of a suggestion. */
    EXPIRED,
    /** Approved in an emergency by break-glass: not evidence of the normal path. */
    BREAK_GLASS,
    /**
     * Allowed or denied by the policy itself, still pending, cancelled, resolved by the system
     * (suspension), or approved while a breaker held it.
     */
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
                request.breakGlass().isPresent()
                        ? BREAK_GLASS
                        : byHuman && !BreakerHolds.held(request.decision()) ? APPROVED : NOT_EVIDENCE;
        };
    }

    /** Whether humans approved it in the normal path (a breaker's hold or not, never break-glass). */
    static boolean humanApproved(ApprovalRequest request) {
        return switch (request.status()) {
            case APPROVED, EXECUTED, FAILED ->
                request.decision().effect() == Effect.REQUIRE_APPROVAL
                        && request.breakGlass().isEmpty()
                        && request.decidedBy()
                                .filter(by -> by.startsWith("human:"))
                                .isPresent();
            default -> false;
        };
    }
}
