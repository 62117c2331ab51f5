package io.countersign.proxy;

/** How {@link Enforcement} records the actions an adapter runs. */
public enum Recording {
    /** Every action is a request with its grant: listed by the API and the console, notified, in the evidence. */
    REQUESTS,
    /**
     * A single action the policy allows outright is one durable audit entry before it runs and one
     * after ({@link io.countersign.workflow.Allowance}), with no request, grant or notice; anything
     * else is a request. For adapters whose every message is an action, such as SQL statements.
     */
    ALLOWANCES
}
