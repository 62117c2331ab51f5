package io.countersign.policy;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Decision inputs for tests, written as briefly as the tests need them. */
final class Inputs {
    static final Instant WEDNESDAY_NOON = Instant.parse("2025-01-08T12:00:00Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Inputs() {}

    static DecisionInput input(String action, String resource) {
        return input(action, resource, "{}");
    }

    static DecisionInput input(String action, String resource, String paramsJson) {
        return new DecisionInput(
                Action.of(action, resource, params(paramsJson), "test"), Agent.named("test-agent"), WEDNESDAY_NOON);
    }

    static DecisionInput input(
            String action, String resource, String paramsJson, Agent agent, Optional<String> onBehalfOf, Instant time) {
        return new DecisionInput(new Action(action, resource, params(paramsJson), "test", onBehalfOf), agent, time);
    }

    static Agent agent(String name, Map<String, String> labels) {
        return new Agent(name, labels);
    }

    static ObjectNode params(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    /** A policy from lines, so tests can say which line an error must name. */
    static Policy policy(String... lines) {
        return Policy.parse("policy.yaml", String.join("\n", lines) + "\n");
    }
}
