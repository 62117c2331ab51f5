package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * One SQL statement as the policy sees it: its kind, the schema-qualified tables it touches
 * ({@code public.orders}; an unqualified name is taken as {@code public}), whether an
 * {@code UPDATE}/{@code DELETE} has a {@code WHERE}, and the functions it calls.
 */
public record SqlStatement(String text, Kind kind, List<String> tables, boolean hasWhere, List<String> functions) {
    public SqlStatement {
        requireNonNull(text, "text is null");
        requireNonNull(kind, "kind is null");
        tables = List.copyOf(tables);
        functions = List.copyOf(functions);
    }

    public enum Kind {
        SELECT,
        INSERT,
        UPDATE,
        DELETE,
        MERGE,
        DDL,
        GRANT,
        COPY_OUT,
        COPY_IN,
        CALL,
        SET,
        TRANSACTION,
        OTHER;

        /** The name in actions ({@code sql.copy_out}) and params. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
