package io.countersign.server.insights;

import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.policy.PolicyException;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * A suggested rule as a YAML list item. Values are written as JSON strings (a JSON string is a
 * YAML double-quoted scalar), the CEL condition as a single-quoted scalar, so no value can break
 * out of its field. Every rule written is compiled before it is shown: a suggestion never hands
 * out a rule the gateway would refuse.
 */
final class RuleYaml {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RuleYaml() {}

    static String rule(
            String name,
            String action,
            Optional<String> resource,
            Optional<String> agent,
            Optional<String> when,
            Effect effect,
            String reason) {
        return rule(name, action, resource, agent, when, effect, reason, Optional.empty());
    }

    /** With {@code breaker}, a flow mapping ({@code {max: 3, per: "1m", then: deny}}) for the rule's breaker. */
    static String rule(
            String name,
            String action,
            Optional<String> resource,
            Optional<String> agent,
            Optional<String> when,
            Effect effect,
            String reason,
            Optional<String> breaker) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("- name: ").append(quoted(name)).append('\n');
        yaml.append("  match: {action: ").append(quoted(action));
        resource.ifPresent(glob -> yaml.append(", resource: ").append(quoted(glob)));
        agent.ifPresent(glob -> yaml.append(", agent: ").append(quoted(glob)));
        yaml.append("}\n");
        when.ifPresent(condition ->
                yaml.append("  when: '").append(condition.replace("'", "''")).append("'\n"));
        yaml.append("  effect: ").append(effect.wireName()).append('\n');
        yaml.append("  reason: ").append(quoted(reason)).append('\n');
        breaker.ifPresent(flow -> yaml.append("  breaker: ").append(flow).append('\n'));
        String text = yaml.toString();
        try {
            Policy.parse("suggestion", "rules:\n" + text);
        } catch (PolicyException e) {
            throw new IllegalStateException(
                    "bug: a suggested rule does not compile: " + e.getMessage() + "\n" + text, e);
        }
        return text;
    }

    /** A CEL string literal. */
    static String celString(String text) {
        return JSON.writeValueAsString(text);
    }

    /** A rule name from free text: the characters rule names allow, the rest as '-'. */
    static String ruleName(String text) {
        String name = text.replaceAll("[^A-Za-z0-9_.:-]+", "-")
                .replaceAll("-{2,}", "-")
                .replaceAll("^-|-$", "");
        return name.length() > 80 ? name.substring(0, 80) : name;
    }

    static String quoted(String text) {
        return JSON.writeValueAsString(text);
    }
}
