package io.countersign.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyLoadErrorTest {

    private static PolicyException errorFor(String... lines) {
        return catchThrowableOfType(
                PolicyException.class, () -> Policy.parse("policy.yaml", String.join("\n", lines) + "\n"));
    }

    private static final String RULE = "rules:\n  - name: exports\n    match: {action: db.export}\n";

    static Stream<Arguments> errors() {
        return Stream.of(
                // description, policy text, line, rule (or ""), what the detail must contain
                Arguments.of("yaml syntax", "rules:\n  - name: x\n   match: {}\n", 3, "", "YAML syntax error"),
                Arguments.of("tab indentation", "rules:\n\t- name: x\n", 2, "", "YAML syntax error"),
                Arguments.of(
                        "two documents",
                        "rules: []\n---\nrules: []\n",
                        2,
                        "",
                        "expected a single document in the stream, but found another document"),
                Arguments.of("not a mapping", "- a\n", 1, "", "the policy must be a mapping, got a list"),
                Arguments.of(
                        "unknown top-level key",
                        "defualt: deny\nrules: []\n",
                        1,
                        "",
                        "unknown key 'defualt' in the policy; did you mean 'default'?"),
                Arguments.of("no rules", "default: deny\n", 1, "", "the policy has no 'rules'"),
                Arguments.of("rules not a list", "rules: {a: b}\n", 1, "", "rules must be a list, got a mapping"),
                Arguments.of(
                        "unknown default",
                        "default: alow\nrules: []\n",
                        1,
                        "",
                        "unknown default 'alow'; want allow, deny or require_approval"),
                Arguments.of(
                        "default approval missing",
                        "default: require_approval\nrules: []\n",
                        1,
                        "",
                        "needs a 'defaultApproval"),
                Arguments.of(
                        "default approval without require_approval",
                        "defaultApproval: {groups: [a]}\nrules: []\n",
                        1,
                        "",
                        "'defaultApproval' is only for default require_approval"),
                Arguments.of(
                        "rule without name",
                        "rules:\n  - match: {}\n    effect: allow\n",
                        2,
                        "",
                        "rule #1 has no 'name'"),
                Arguments.of(
                        "name not a string",
                        "rules:\n  - name: 42\n    match: {}\n    effect: allow\n",
                        2,
                        "",
                        "rule #1: 'name' must be a string, got integer 42"),
                Arguments.of(
                        "bad name",
                        "rules:\n  - name: 'two words'\n    match: {}\n    effect: allow\n",
                        2,
                        "two words",
                        "rule name must start with a letter or digit"),
                Arguments.of(
                        "duplicate name",
                        "rules:\n  - {name: a, match: {}, effect: allow}\n  - {name: a, match: {}, effect: deny}\n",
                        3,
                        "a",
                        "duplicate rule name 'a'; the first is on line 2"),
                Arguments.of(
                        "unknown rule key",
                        RULE + "    efect: allow\n",
                        4,
                        "exports",
                        "unknown key 'efect' in rule; did you mean 'effect'?"),
                Arguments.of(
                        "duplicate key",
                        RULE + "    effect: allow\n    effect: deny\n",
                        5,
                        "exports",
                        "duplicate key 'effect' in rule"),
                Arguments.of(
                        "no match",
                        "rules:\n  - name: exports\n    effect: allow\n",
                        2,
                        "exports",
                        "rule has no 'match'; write 'match: {}' to match every action"),
                Arguments.of(
                        "unknown match key",
                        "rules:\n  - name: exports\n    match: {actoin: db.export}\n    effect: allow\n",
                        3,
                        "exports",
                        "unknown key 'actoin' in match; did you mean 'action'?"),
                Arguments.of("no effect", RULE, 2, "exports", "rule has no 'effect'"),
                Arguments.of(
                        "unknown effect",
                        RULE + "    effect: alow\n",
                        4,
                        "exports",
                        "unknown effect 'alow'; want allow, deny or require_approval"),
                Arguments.of(
                        "approval missing",
                        RULE + "    effect: require_approval\n",
                        2,
                        "exports",
                        "effect require_approval needs 'approval: {groups: [...]}'"),
                Arguments.of(
                        "approval on deny",
                        RULE + "    effect: deny\n    approval: {groups: [a]}\n",
                        5,
                        "exports",
                        "'approval' is only for effect require_approval, this rule's effect is deny"),
                Arguments.of(
                        "no groups",
                        RULE + "    effect: require_approval\n    approval: {quorum: 1}\n",
                        5,
                        "exports",
                        "approval has no 'groups'"),
                Arguments.of(
                        "empty groups",
                        RULE + "    effect: require_approval\n    approval: {groups: []}\n",
                        5,
                        "exports",
                        "approval.groups is empty"),
                Arguments.of(
                        "zero quorum",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], quorum: 0}\n",
                        5,
                        "exports",
                        "approval.quorum is 0, want at least 1"),
                Arguments.of(
                        "quorum not a number",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], quorum: two}\n",
                        5,
                        "exports",
                        "approval.quorum must be an integer, got string 'two'"),
                Arguments.of(
                        "duration without unit",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], timeout: 30}\n",
                        5,
                        "exports",
                        "approval.timeout '30' is not a duration"),
                Arguments.of(
                        "zero duration",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], timeout: 0s}\n",
                        5,
                        "exports",
                        "approval.timeout '0s' is zero"),
                Arguments.of(
                        "too long duration",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], timeout: 400d}\n",
                        5,
                        "exports",
                        "longer than the maximum of 365d"),
                Arguments.of(
                        "unknown approval key",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], qourum: 2}\n",
                        5,
                        "exports",
                        "unknown key 'qourum' in approval; did you mean 'quorum'?"),
                Arguments.of(
                        "unknown notify channel",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], notify: {slak: C1}}\n",
                        5,
                        "exports",
                        "unknown key 'slak' in approval.notify; did you mean 'slack'?"),
                Arguments.of(
                        "blank notify channel",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], notify: {slack: ' '}}\n",
                        5,
                        "exports",
                        "approval.notify.slack is empty"),
                Arguments.of(
                        "stepUp not a bool",
                        RULE + "    effect: require_approval\n    approval: {groups: [a], stepUp: maybe}\n",
                        5,
                        "exports",
                        "approval.stepUp must be true or false"),
                Arguments.of(
                        "empty glob segment",
                        "rules:\n  - name: exports\n    match: {action: \"db..export\"}\n    effect: allow\n",
                        3,
                        "exports",
                        "match.action: pattern 'db..export' has an empty segment"),
                Arguments.of(
                        "partial double star",
                        "rules:\n  - name: exports\n    match: {action: \"db.ex**\"}\n    effect: allow\n",
                        3,
                        "exports",
                        "'**' must be a whole segment, got 'ex**'"),
                Arguments.of(
                        "shell wildcard",
                        "rules:\n  - name: exports\n    match: {resource: \"db/prod/?\"}\n    effect: allow\n",
                        3,
                        "exports",
                        "match.resource: pattern 'db/prod/?' has a character not allowed"),
                Arguments.of(
                        "cel syntax",
                        RULE + "    when: 'params.x =='\n    effect: allow\n",
                        4,
                        "exports",
                        "CEL syntax error in 'when' at column 12"),
                Arguments.of(
                        "cel type",
                        RULE + "    when: 'action + 1 == 2'\n    effect: allow\n",
                        4,
                        "exports",
                        "CEL type error in 'when' at column 8: found no matching overload for '_+_' applied to '(string, int)'"),
                Arguments.of(
                        "cel not bool",
                        RULE + "    when: 'action'\n    effect: allow\n",
                        4,
                        "exports",
                        "'when' must be a bool expression, got string"),
                Arguments.of(
                        "cel dyn",
                        RULE + "    when: 'params.flag'\n    effect: allow\n",
                        4,
                        "exports",
                        "got dyn; compare explicitly"),
                Arguments.of(
                        "cel unknown function",
                        RULE + "    when: 'foo(action)'\n    effect: allow\n",
                        4,
                        "exports",
                        "unknown function 'foo'"),
                Arguments.of(
                        "cel unknown agent field",
                        RULE + "    when: 'agent.nmae == \"x\"'\n    effect: allow\n",
                        4,
                        "exports",
                        "unknown field 'nmae' of agent (it has labels, name)"),
                Arguments.of(
                        "when not a string",
                        RULE + "    when: 1\n    effect: allow\n",
                        4,
                        "exports",
                        "when must be a string, got integer 1 (quote it)"),
                Arguments.of(
                        "reason not a string",
                        RULE + "    reason: [a]\n    effect: allow\n",
                        4,
                        "exports",
                        "reason must be a string, got a list"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void loadError_namesFileLineAndRule(String description, String text, int line, String rule, String detail) {
        PolicyException error = catchThrowableOfType(PolicyException.class, () -> Policy.parse("policy.yaml", text));

        assertThat(error).as(description).isNotNull();
        assertThat(error.file()).isEqualTo("policy.yaml");
        assertThat(error.line()).as("line of: " + error.getMessage()).isEqualTo(line);
        assertThat(error.rule()).isEqualTo(rule.isEmpty() ? Optional.empty() : Optional.of(rule));
        assertThat(error.detail()).contains(detail);
        assertThat(error.getMessage())
                .isEqualTo("policy.yaml line " + line + (rule.isEmpty() ? "" : ", rule '" + rule + "'") + ": "
                        + error.detail());
    }

    @Test
    void unknownCelVariable_exactMessage() {
        PolicyException error = errorFor(
                "default: deny",
                "rules:",
                "  - name: reads",
                "    match: {action: db.query}",
                "    effect: allow",
                "",
                "  - name: exports",
                "    match: {action: db.export}",
                "    # a typo in the condition: parms for params",
                "",
                "",
                "",
                "    effect: deny",
                "    when: 'parms.rows > 1000'");

        assertThat(error).hasMessage("policy.yaml line 14, rule 'exports': unknown variable 'parms'");
        assertThat(error.line()).isEqualTo(14);
        assertThat(error.rule()).contains("exports");
        assertThat(error.detail()).isEqualTo("unknown variable 'parms'");
    }

    @Test
    void unknownKey_exactMessage_suggestsTheNearestKey() {
        assertThat(errorFor("rules:", "  - name: exports", "    match: {}", "    efect: allow"))
                .hasMessage(
                        "policy.yaml line 4, rule 'exports': unknown key 'efect' in rule; did you mean 'effect'? (allowed: name, match, when, effect, reason, approval, breaker, expiresAt, mask)");
    }

    @Test
    void badDuration_exactMessage() {
        assertThat(errorFor(
                        "rules:",
                        "  - name: exports",
                        "    match: {}",
                        "    effect: require_approval",
                        "    approval: {groups: [a], timeout: 30 min}"))
                .hasMessage("policy.yaml line 5, rule 'exports': approval.timeout '30 min' is not a duration; "
                        + "want a whole number and a unit s, m, h or d, e.g. 90s, 30m, 2h, 1d");
    }

    @Test
    void duplicateRuleName_exactMessage() {
        assertThat(errorFor(
                        "rules:", "  - {name: a, match: {}, effect: allow}", "  - {name: a, match: {}, effect: deny}"))
                .hasMessage("policy.yaml line 3, rule 'a': duplicate rule name 'a'; the first is on line 2");
    }

    @Test
    void celErrorInALiteralBlock_namesTheLineInsideTheBlock() {
        PolicyException error = errorFor(
                "rules:",
                "  - name: exports",
                "    match: {}",
                "    when: |",
                "      action == \"db.export\" &&",
                "      parms.rows > 10",
                "    effect: deny");

        assertThat(error).hasMessage("policy.yaml line 6, rule 'exports': unknown variable 'parms'");
    }

    @Test
    void unknownAgentFieldInALiteralBlock_namesTheLineInsideTheBlock() {
        PolicyException error = errorFor(
                "rules:",
                "  - name: bots",
                "    match: {}",
                "    when: |",
                "      action == \"db.export\" &&",
                "      agent.nmae == \"x\"",
                "    effect: deny");

        assertThat(error)
                .hasMessage("policy.yaml line 6, rule 'bots': unknown field 'nmae' of agent (it has labels, name)");
    }

    @Test
    void emptyFile_isAnError() {
        assertThat(errorFor("")).hasMessage("policy.yaml: file is empty");
    }

    @Test
    void aliasExpansion_isBounded() {
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";

        assertThatThrownBy(() -> Policy.parse("policy.yaml", bomb))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("aliases");
    }

    @Test
    void load_namesThePathGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "rules:\n  - name: x\n    match: {}\n    effect: maybe\n");

        PolicyException error = catchThrowableOfType(PolicyException.class, () -> Policy.load(file));

        assertThat(error)
                .hasMessage(file + " line 4, rule 'x': unknown effect 'maybe'; want allow, deny or require_approval");
    }

    @Test
    void load_missingFile_isAPolicyException(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        PolicyException error = catchThrowableOfType(PolicyException.class, () -> Policy.load(missing));

        assertThat(error.line()).isZero();
        assertThat(error.getMessage()).startsWith(missing + ": cannot read the policy: ");
    }

    @Test
    void load_invalidUtf8_isAPolicyException(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.write(file, new byte[] {'r', 'u', 'l', 'e', 's', ':', ' ', '[', ']', '#', (byte) 0xC3, (byte) 0x28});

        assertThatThrownBy(() -> Policy.load(file))
                .isInstanceOf(PolicyException.class)
                .hasMessage(file + ": the file is not valid UTF-8");
    }

    @Test
    void load_versionIsTheHashOfTheFileBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        String text = "# é\nrules: []\n";
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));

        assertThat(Policy.load(file).version())
                .isEqualTo("sha256:" + PolicyDecisionTest.sha256Hex(text))
                .isEqualTo(Policy.parse("other-name.yaml", text).version());
    }
}
