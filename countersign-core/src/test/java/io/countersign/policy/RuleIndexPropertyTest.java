package io.countersign.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The rule index is an optimisation and must never change a decision: for random policies and
 * random actions, the indexed decision equals the decision of trying every rule.
 */
class RuleIndexPropertyTest {
    private static final List<String> SEGMENTS = List.of("a", "b", "ab", "ba");
    private static final List<String> GLOB_SEGMENTS = List.of("a", "b", "ab", "*", "**", "a*", "*b");

    record RuleSpec(
            Optional<String> action,
            Optional<String> resource,
            Optional<String> agent,
            Optional<String> when,
            Effect effect) {
        String yaml(int index) {
            StringBuilder match = new StringBuilder();
            action.ifPresent(glob -> match.append("action: \"").append(glob).append("\", "));
            resource.ifPresent(glob -> match.append("resource: \"").append(glob).append("\", "));
            agent.ifPresent(glob -> match.append("agent: \"").append(glob).append("\", "));
            return "  - name: r" + index + "\n"
                    + "    match: {" + match + "}\n"
                    + when.map(condition -> "    when: '" + condition + "'\n").orElse("")
                    + "    effect: " + effect.wireName() + "\n"
                    + (effect == Effect.REQUIRE_APPROVAL ? "    approval: {groups: [g" + index + "]}\n" : "");
        }
    }

    record Probe(String action, String resource, String agent, int n) {
        DecisionInput input() {
            return new DecisionInput(
                    Action.of(action, resource, Inputs.params("{\"n\": " + n + "}"), "probe"),
                    Agent.named(agent),
                    Inputs.WEDNESDAY_NOON);
        }
    }

    @Property(tries = 300)
    void indexedDecision_equalsLinearScan(
            @ForAll("rules") List<RuleSpec> rules,
            @ForAll("defaults") Effect defaultEffect,
            @ForAll("probes") List<Probe> probes) {
        StringBuilder yaml = new StringBuilder("default: " + defaultEffect.wireName() + "\nrules:\n");
        for (int i = 0; i < rules.size(); i++) {
            yaml.append(rules.get(i).yaml(i));
        }
        if (rules.isEmpty()) {
            yaml.append("  []\n");
        }
        Policy policy = Policy.parse("random.yaml", yaml.toString());

        for (Probe probe : probes) {
            assertThat(policy.decide(probe.input()))
                    .as("%s on\n%s", probe, yaml)
                    .isEqualTo(policy.decideByLinearScan(probe.input()));
        }
    }

    @Property(tries = 500)
    void everyNameAGlobMatches_startsWithItsLiteralPrefix(
            @ForAll("actionGlobs") String glob, @ForAll("actions") String action) {
        Glob compiled = Glob.action(glob);
        if (compiled.matches(action)) {
            assertThat(action).startsWith(compiled.literalPrefix());
        }
    }

    @Provide
    Arbitrary<List<RuleSpec>> rules() {
        Arbitrary<Optional<String>> action = actionGlobs().optional(0.85);
        Arbitrary<Optional<String>> resource =
                Arbitraries.of("r/*", "r/**", "r/x", "**", "s").optional(0.3);
        Arbitrary<Optional<String>> agent =
                Arbitraries.of("bot-*", "*", "bot-a").optional(0.2);
        Arbitrary<Optional<String>> when = Arbitraries.of(
                        "true", "false", "params.n > 1", "params.missing == 1", "action.startsWith(\"a\")")
                .optional(0.5);
        Arbitrary<Effect> effect = Arbitraries.of(Effect.class);
        return Combinators.combine(action, resource, agent, when, effect)
                .as(RuleSpec::new)
                .list()
                .ofMaxSize(12);
    }

    @Provide
    Arbitrary<Effect> defaults() {
        return Arbitraries.of(Effect.ALLOW, Effect.DENY);
    }

    @Provide
    Arbitrary<List<Probe>> probes() {
        Arbitrary<String> resource = Arbitraries.of("r/x", "r/y", "r/x/z", "s");
        Arbitrary<String> agent = Arbitraries.of("bot-a", "bot-b", "other");
        return Combinators.combine(
                        actions(), resource, agent, Arbitraries.integers().between(0, 3))
                .as(Probe::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> actionGlobs() {
        return Arbitraries.of(GLOB_SEGMENTS)
                .list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .map(segments -> String.join(".", segments));
    }

    @Provide
    Arbitrary<String> actions() {
        return Arbitraries.of(SEGMENTS).list().ofMinSize(1).ofMaxSize(4).map(segments -> String.join(".", segments));
    }
}
