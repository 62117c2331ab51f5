package io.countersign.policy;

import static io.countersign.policy.Inputs.input;
import static io.countersign.policy.Inputs.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A rule's {@code mask: {columns: [...]}}: how it is read, refused, and carried by decisions. */
class ColumnMaskPolicyTest {

    private static final String[] MASKING = {
        "rules:",
        "  - name: reads",
        "    match: {action: sql.select}",
        "    effect: allow",
        "    mask: {columns: [email, \"*.SSN\", public.users.phone, audit.*]}",
        "  - name: reads-of-payroll-need-hr",
        "    match: {action: sql.select, resource: \"pg/*/payroll\"}",
        "    effect: require_approval",
        "    approval: {groups: [hr]}",
        "    mask: {columns: [salary]}",
        "  - name: plain-reads",
        "    match: {action: sql.select, resource: \"pg/*/orders\"}",
        "    effect: allow",
        "  - name: no-drops",
        "    match: {action: sql.ddl}",
        "    effect: deny",
    };

    @Test
    void anAllowDecisionCarriesTheMasksOfEveryMatchingAllowRule() {
        Decision decision = policy(MASKING).decide(input("sql.select", "pg/main/orders"));

        assertThat(decision.effect()).isEqualTo(Effect.ALLOW);
        assertThat(decision.rules()).containsExactly("reads", "plain-reads");
        assertThat(decision.masks()).singleElement().satisfies(mask -> {
            assertThat(mask.rule()).isEqualTo("reads");
            assertThat(mask.columnTexts()).containsExactly("email", "ssn", "public.users.phone", "audit.*");
        });
    }

    @Test
    void aRequireApprovalDecisionKeepsTheMasksOfTheAllowRulesThatAlsoMatched() {
        Decision decision = policy(MASKING).decide(input("sql.select", "pg/main/payroll"));

        assertThat(decision.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(decision.rules()).containsExactly("reads-of-payroll-need-hr");
        assertThat(decision.masks()).extracting(ColumnMask::rule).containsExactly("reads-of-payroll-need-hr", "reads");
    }

    @Test
    void aDenyAndAnUnmaskedDecisionCarryNoMasks() {
        Policy policy = policy(MASKING);
        assertThat(policy.decide(input("sql.ddl", "pg/main/orders")).masks()).isEmpty();
        assertThat(policy.decide(input("sql.insert", "pg/main/orders")).masks()).isEmpty();
        assertThatThrownBy(() -> new Decision(
                        Effect.DENY,
                        List.of("x"),
                        "no",
                        "v",
                        List.of(),
                        List.of(new ColumnMask("x", List.of(ColumnPattern.parse("email"))))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a deny decision masks nothing");
    }

    @Test
    void anAllowRuleWhoseConditionFailsStillMasks() {
        Policy policy = policy(
                "rules:",
                "  - name: reads",
                "    match: {action: sql.select}",
                "    effect: allow",
                "  - name: odd-reads",
                "    match: {action: sql.select}",
                "    when: 'params.missing.deeper == 1'",
                "    effect: allow",
                "    mask: {columns: [email]}");

        Decision decision = policy.decide(input("sql.select", "pg/main/orders"));

        assertThat(decision.effect()).isEqualTo(Effect.ALLOW);
        assertThat(decision.rules()).containsExactly("reads");
        assertThat(decision.masks()).extracting(ColumnMask::rule).containsExactly("odd-reads");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            email              | public | users | email | email  | true
            EMAIL              | public | users | Email | x      | true
            *.email            | other  | t     | email | e      | true
            email              | public | users | name  | email  | true
            email              | public | users | name  | e      | false
            users.email        | other  | users | email | x      | true
            users.email        | public | staff | email | email  | false
            public.users.email | public | users | email | x      | true
            public.users.email | other  | users | email | x      | false
            users.*            | public | users | phone | x      | true
            users.*            | public | staff | phone | x      | false
            *.users.email      | any    | users | email | x      | true
            """)
    void patternsMatchTableColumnsAndUnqualifiedOnesAlsoLabels(
            String pattern, String schema, String table, String column, String label, boolean masked) {
        ColumnPattern parsed = ColumnPattern.parse(pattern);
        assertThat(parsed.matchesSource(schema, table, column) || parsed.matchesLabel(label))
                .isEqualTo(masked);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            mask: {columns: []}                  | mask.columns is empty
            mask: {columns: email}               | mask.columns must be a list
            mask: {colums: [email]}              | unknown key 'colums'
            mask: {columns: [\"*\"]}             | '*' masks every column
            mask: {columns: [\"*.*\"]}           | masks everything
            mask: {columns: [a.b.c.d]}           | has 4 parts
            mask: {columns: [\"users.\"]}        | has the part ''
            mask: {columns: [\"public.*.email\"]} | a schema with any table
            mask: {columns: [\"\\\"Email\\\"\"]}  | no quotes
            """)
    void badMasksAreRefusedNamingTheLineAndRule(String maskLine, String detail) {
        PolicyException error = catchThrowableOfType(
                PolicyException.class,
                () -> policy(
                        "rules:",
                        "  - name: reads",
                        "    match: {action: sql.select}",
                        "    effect: allow",
                        "    " + maskLine));

        assertThat(error).isNotNull();
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.rule()).isEqualTo(Optional.of("reads"));
        assertThat(error.detail()).contains(detail);
    }

    @Test
    void aDenyRuleMayNotMask() {
        PolicyException error = catchThrowableOfType(
                PolicyException.class,
                () -> policy(
                        "rules:",
                        "  - name: no-reads",
                        "    match: {action: sql.select}",
                        "    effect: deny",
                        "    mask: {columns: [email]}"));

        assertThat(error.line()).isEqualTo(5);
        assertThat(error.detail()).contains("'mask' is only for effect allow or require_approval");
    }
}
