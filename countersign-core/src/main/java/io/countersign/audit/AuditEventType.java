package io.countersign.audit;

/** Every kind of event the audit log records; the wire name is the entry's {@code type}. */
public enum AuditEventType {
    REQUEST_CREATED("request.created"),
    DECISION_MADE("decision.made"),
    VOTE_CAST("vote.cast"),
    /**
     * A human's vote on a pending (or just decided) request refused by the vote rule: the human it acts for, a
     * non-member, a second vote, a request no longer pending. Who, why, which channel; nothing else changed.
     */
    VOTE_REFUSED("vote.refused"),
    REQUEST_APPROVED("request.approved"),
    REQUEST_DENIED("request.denied"),
    REQUEST_EXPIRED("request.expired"),
    REQUEST_CANCELLED("request.cancelled"),
    /** A request still pending after its rule's {@code escalate.after}: from which groups, to which groups and channels. */
    REQUEST_ESCALATED("request.escalated"),
    GRANT_ISSUED("grant.issued"),
    GRANT_USED("grant.used"),
    ACTION_EXECUTED("action.executed"),
    /** An enforcing adapter's action allowed outright: decision and action in one entry, no request (Allowance). */
    ACTION_ALLOWED("action.allowed"),
    /** What became of an {@code action.allowed}: its outcome, under the same id. */
    ALLOWED_ACTION_EXECUTED("action.allowed.executed"),
    POLICY_LOADED("policy.loaded"),
    POLICY_REJECTED("policy.rejected"),
    /** An approved policy change was written and loaded: who proposed, who approved, old and new version. */
    POLICY_CHANGED("policy.changed"),
    AGENT_CREATED("agent.created"),
    HUMAN_CREATED("human.created"),
    /** Every local token of a human was revoked. */
    HUMAN_REVOKED("human.revoked"),
    /** A local human's groups (or roles) were replaced. */
    HUMAN_GROUPS_CHANGED("human.groups_changed"),
    AGENT_REVOKED("agent.revoked"),
    AGENT_SUSPENDED("agent.suspended"),
    AGENT_RESUMED("agent.resumed"),
    BREAK_GLASS_USED("breakglass.used"),
    BREAK_GLASS_REVIEW_ACKNOWLEDGED("breakglass.review.acknowledged"),
    BREAKER_TRIPPED("breaker.tripped"),
    BREAKER_RESET("breaker.reset"),
    EVIDENCE_EXPORTED("evidence.exported"),
    /** An upstream MCP tool presented a definition other than the one pinned (the MCP gateway). */
    MCP_TOOL_CHANGED("mcp.tool_changed"),
    /** An admin accepted an MCP tool's changed definition as its new pin. */
    MCP_TOOL_ACCEPTED("mcp.tool_accepted"),
    /** A human set an insights suggestion or finding aside for good, with a reason. */
    INSIGHT_DISMISSED("insight.dismissed"),
    /** A human set an insights suggestion or finding aside until a time, with a reason. */
    INSIGHT_SNOOZED("insight.snoozed"),
    /** A human brought a dismissed or snoozed suggestion or finding back. */
    INSIGHT_RESTORED("insight.restored");

    private final String wireName;

    AuditEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
