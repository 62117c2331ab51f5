package io.countersign.policy;

import static io.countersign.policy.Inputs.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTestCasesTest {

    private static final Policy POLICY = policy(
            "rules:",
            "  - {name: reads, match: {action: db.query}, when: 'params.kind == \"select\"', effect: allow}",
            "  - {name: weekend, match: {}, when: 'context.time.getDayOfWeek(\"UTC\") == 6', effect: deny}",
            "  - {name: team, match: {}, when: 'agent.labels.team == \"data\" && onBehalfOf == \"alice\"', effect: allow}");

    private static PolicyTestCases cases(String... lines) {
        return PolicyTestCases.parse("cases.yaml", String.join("\n", lines) + "\n");
    }

    @Test
    void parse_readsEveryField() {
        PolicyTestCases.Case parsed = cases(
                        "- name: everything",
                        "  action: db.query",
                        "  resource: db/prod/x",
                        "  params: {kind: select, rows: 10, ratio: 0.5, tags: [a, b], nested: {ok: true}, none: null}",
                        "  agent: {name: etl, labels: {team: data}}",
                        "  onBehalfOf: alice",
                        "  time: 2025-01-11T10:00:00Z",
                        "  expect: deny",
                        "  rules: [weekend]")
                .cases()
                .getFirst();

        assertThat(parsed.name()).isEqualTo("everything");
        assertThat(parsed.line()).isEqualTo(1);
        assertThat(parsed.input().action().action()).isEqualTo("db.query");
        assertThat(parsed.input().action().resource()).isEqualTo("db/prod/x");
        assertThat(parsed.input().action().params())
                .isEqualTo(
                        Inputs.params(
                                "{\"kind\": \"select\", \"rows\": 10, \"ratio\": 0.5, \"tags\": [\"a\", \"b\"], \"nested\": {\"ok\": true}, \"none\": null}"));
        assertThat(parsed.input().agent().name()).isEqualTo("etl");
        assertThat(parsed.input().agent().labels()).isEqualTo(Map.of("team", "data"));
        assertThat(parsed.input().action().onBehalfOf()).contains("alice");
        assertThat(parsed.input().time()).isEqualTo(Instant.parse("2025-01-11T10:00:00Z"));
        assertThat(parsed.expect()).isEqualTo(Effect.DENY);
        assertThat(parsed.rules()).contains(List.of("weekend"));
    }

    @Test
    void parse_defaults() {
        PolicyTestCases.Case parsed = cases("- {name: minimal, action: a.b, resource: r, expect: allow}")
                .cases()
                .getFirst();

        assertThat(parsed.input().action().params()).isEmpty();
        assertThat(parsed.input().agent().name()).isEqualTo(PolicyTestCases.DEFAULT_AGENT);
        assertThat(parsed.input().action().onBehalfOf()).isEmpty();
        assertThat(parsed.input().time()).isEqualTo(PolicyTestCases.DEFAULT_TIME);
        assertThat(parsed.rules()).isEmpty();
    }

    @Test
    void run_passesAndFails_withExpectedVersusActual() {
        List<PolicyTestCases.Result> results = cases(
                        "- {name: select allowed, action: db.query, resource: r, params: {kind: select}, expect: allow, rules: [reads]}",
                        "- {name: wrong effect, action: db.query, resource: r, params: {kind: update}, expect: allow}",
                        "- {name: wrong rules, action: db.query, resource: r, params: {kind: select}, expect: allow, rules: [team]}",
                        "- {name: saturday, action: db.query, resource: r, params: {kind: select}, time: '2025-01-11T09:00:00Z', expect: deny}",
                        "- {name: labels and onBehalfOf, action: x.y, resource: r, agent: {name: a, labels: {team: data}}, onBehalfOf: alice, expect: allow}")
                .run(POLICY);

        assertThat(results).extracting(PolicyTestCases.Result::passed).containsExactly(true, false, false, true, true);
        assertThat(results.get(0).summary()).isEqualTo("PASS select allowed");
        assertThat(results.get(1).summary())
                .isEqualTo("FAIL wrong effect (line 2): expected allow, got deny "
                        + "(rules []; reason: no rule matched; default is deny)");
        assertThat(results.get(2).failure())
                .contains("expected rules [team], got allow (rules [reads]; reason: allowed by rule 'reads')");
    }

    @Test
    void errors_nameFileLineAndCase() {
        assertThat(error("- {name: a, action: a.b, resource: r, expect: maybe}"))
                .hasMessage(
                        "cases.yaml line 1, rule 'a': unknown expect 'maybe'; want allow, deny or require_approval");
        assertThat(error(
                        "- {name: a, action: a.b, resource: r, expect: allow}",
                        "- {name: b, action: a.b, resource: r, expcet: allow}"))
                .hasMessage("cases.yaml line 2: unknown key 'expcet' in case #2; did you mean 'expect'? "
                        + "(allowed: name, action, resource, params, agent, onBehalfOf, time, expect, rules)");
        assertThat(error("- {name: a, action: 'not valid!', resource: r, expect: allow}")
                        .getMessage())
                .startsWith("cases.yaml line 1, rule 'a': action 'not valid!' is not a dotted name");
        assertThat(error("- {name: a, action: a.b, resource: r, time: yesterday, expect: allow}"))
                .hasMessage(
                        "cases.yaml line 1, rule 'a': time 'yesterday' is not an ISO-8601 date-time with an offset, e.g. 2025-01-08T12:00:00Z");
        assertThat(error(
                        "- {name: a, action: a.b, resource: r, expect: allow}",
                        "- {name: a, action: a.b, resource: r, expect: allow}"))
                .hasMessage("cases.yaml line 2, rule 'a': duplicate case name 'a'; the first is on line 1");
        assertThat(error("- {name: a, resource: r, expect: allow}"))
                .hasMessage("cases.yaml line 1, rule 'a': case has no 'action'");
        assertThat(error("[]")).hasMessage("cases.yaml line 1: no test cases");
    }

    @Test
    void load_readsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cases.yaml");
        Files.writeString(file, "- {name: a, action: a.b, resource: r, expect: deny}\n");

        PolicyTestCases loaded = PolicyTestCases.load(file);

        assertThat(loaded.fileName()).isEqualTo(file.toString());
        assertThat(loaded.run(POLICY)).allMatch(PolicyTestCases.Result::passed);
        assertThat(catchThrowableOfType(PolicyException.class, () -> PolicyTestCases.load(dir.resolve("missing.yaml")))
                        .rule())
                .isEqualTo(Optional.empty());
    }

    private static PolicyException error(String... lines) {
        return catchThrowableOfType(PolicyException.class, () -> cases(lines));
    }
}
