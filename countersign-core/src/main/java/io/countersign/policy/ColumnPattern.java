package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One entry of a rule's {@code mask: {columns: [...]}}: which result columns an enforcing adapter
 * replaces. Written as {@code column}, {@code *.column} (both: that column in any table),
 * {@code table.column} (in a table of that name, in any schema), {@code schema.table.column}, or
 * with {@code *} for the column ({@code table.*}, {@code schema.table.*}: every column of the
 * table). Names are compared ignoring case, so a pattern masks at least what it names whatever
 * the quoting; an empty part means any.
 */
public record ColumnPattern(Optional<String> schema, Optional<String> table, Optional<String> column) {
    /** An identifier as it appears in a pattern: no dots, quotes or white space. */
    private static final Pattern NAME = Pattern.compile("[^.\"\\s*]{1,63}");

    public ColumnPattern {
        requireNonNull(schema, "schema is null");
        requireNonNull(table, "table is null");
        requireNonNull(column, "column is null");
        if (column.isEmpty() && table.isEmpty()) {
            throw new IllegalArgumentException("a pattern for every column of every table masks everything; name a"
                    + " column, or a table for all of its columns");
        }
        if (schema.isPresent() && table.isEmpty()) {
            throw new IllegalArgumentException("a schema with any table ('" + schema.get()
                    + ".*.column') is not supported; name the table or leave out the schema");
        }
    }

    /**
     * Reads a pattern as written in a policy.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text} and what is wanted
     */
    public static ColumnPattern parse(String text) {
        requireNonNull(text, "text is null");
        String[] parts = text.split("\\.", -1);
        if (parts.length > 3) {
            throw new IllegalArgumentException(
                    "'" + text + "' has " + parts.length + " parts; want column, table.column or schema.table.column");
        }
        List<Optional<String>> names = new ArrayList<>();
        for (String part : parts) {
            if (part.equals("*")) {
                names.add(Optional.empty());
            } else if (NAME.matcher(part).matches()) {
                names.add(Optional.of(part.toLowerCase(Locale.ROOT)));
            } else {
                throw new IllegalArgumentException("'" + text + "' has the part '" + part
                        + "'; each part is a name (no quotes, spaces or dots, at most 63 characters) or *");
            }
        }
        Optional<String> column = names.getLast();
        Optional<String> table = names.size() >= 2 ? names.get(names.size() - 2) : Optional.empty();
        Optional<String> schema = names.size() == 3 ? names.getFirst() : Optional.empty();
        if (names.size() == 1 && column.isEmpty()) {
            throw new IllegalArgumentException(
                    "'*' masks every column; name the columns, or a table's columns as table.*");
        }
        try {
            return new ColumnPattern(schema, table, column);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }

    /** Whether the pattern names a table (then only a column read from a table can match it). */
    public boolean qualified() {
        return table.isPresent();
    }

    /** Whether the pattern matches the table column {@code schema.table.column} (any case). */
    public boolean matchesSource(String schemaName, String tableName, String columnName) {
        return matches(schema, schemaName) && matches(table, tableName) && matches(column, columnName);
    }

    /** Whether an unqualified pattern matches a result column's label (its name, or its alias). */
    public boolean matchesLabel(String label) {
        return !qualified() && matches(column, label);
    }

    private static boolean matches(Optional<String> part, String name) {
        return part.isEmpty() || part.get().equals(name.toLowerCase(Locale.ROOT));
    }

    /** The pattern as a policy would write it, lower-cased ({@code *.email}, {@code public.users.*}). */
    @Override
    public String toString() {
        String columnText = column.orElse("*");
        if (table.isEmpty()) {
            return columnText;
        }
        return schema.map(name -> name + ".").orElse("") + table.get() + "." + columnText;
    }
}
