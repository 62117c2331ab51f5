package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A rule's {@code mask: {columns: [...]}}: the result columns an enforcing adapter replaces in
 * what an action it allowed returns (the PostgreSQL proxy's rows). A decision carries the masks of
 * every allow and require_approval rule that matched, so the action runs, approved or not, with
 * the masks its rules said.
 */
public record ColumnMask(String rule, List<ColumnPattern> columns) {
    public ColumnMask {
        requireNonNull(rule, "rule is null");
        columns = List.copyOf(requireNonNull(columns, "columns is null"));
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("rule '" + rule + "': a mask names at least one column");
        }
    }

    /** The patterns as written ({@code [email, *.ssn]}), for records and messages. */
    public List<String> columnTexts() {
        return columns.stream().map(ColumnPattern::toString).toList();
    }
}
