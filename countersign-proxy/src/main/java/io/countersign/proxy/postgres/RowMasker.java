package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ColumnMask;
import io.countersign.policy.ColumnPattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Replaces the masked columns' values in the DataRows of one result, planned from the result's
 * description before the statement runs. A column is masked when a mask's pattern matches the
 * table column it was read from (schema, table and column, as the catalog names them: an alias
 * neither masks nor unmasks). A masked value of a text type ({@code text}, {@code varchar},
 * {@code char}, {@code name}) becomes {@code ***}, the same bytes in the text and the binary
 * format; of any other type NULL, which every client reads for every type in both formats.
 *
 * <p>A result column that can't be traced to a table column (an expression, a function's result,
 * a literal, a column of a view, or one the catalog doesn't know) can't be masked exactly, so
 * there is no plan for the result: {@link #plan} says why, and the statement is refused.
 */
final class RowMasker {
    static final byte[] MASKED_TEXT = "***".getBytes(StandardCharsets.US_ASCII);
    /** text, varchar, bpchar, name: their binary form is their text, so {@code ***} is valid in both formats. */
    private static final Set<Integer> TEXT_TYPES = Set.of(25, 1043, 1042, 19);

    private enum Replacement {
        KEEP,
        TEXT,
        NULL
    }

    /** What a result's description allows: masking it exactly, or nothing (and why). */
    sealed interface Plan {
        record Masking(RowMasker masker) implements Plan {}

        record Untraceable(String why) implements Plan {}
    }

    private final ResultColumns columns;
    private final Replacement[] replacements;
    private final String[] names;

    private RowMasker(ResultColumns columns, Replacement[] replacements, String[] names) {
        this.columns = columns;
        this.replacements = replacements;
        this.names = names;
    }

    /** The plan for a result described as {@code result} under {@code masks}; the catalog names its source columns. */
    static Plan plan(List<ColumnMask> masks, ResultColumns result, ColumnCatalog catalog) {
        requireNonNull(masks, "masks is null");
        List<ResultColumns.Column> columns = result.columns();
        Set<ColumnCatalog.Key> keys = new HashSet<>();
        for (ResultColumns.Column column : columns) {
            if (!column.computed()) {
                keys.add(new ColumnCatalog.Key(column.table(), column.attribute()));
            }
        }
        Map<ColumnCatalog.Key, ColumnCatalog.Source> sources = catalog.resolve(keys);
        Replacement[] replacements = new Replacement[columns.size()];
        String[] names = new String[columns.size()];
        List<String> untraceable = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            ResultColumns.Column column = columns.get(i);
            String label = "column " + (i + 1) + " \"" + column.label() + "\"";
            Optional<ColumnCatalog.Source> source = column.computed()
                    ? Optional.empty()
                    : Optional.ofNullable(sources.get(new ColumnCatalog.Key(column.table(), column.attribute())));
            if (column.computed()) {
                untraceable.add(label + " is computed (an expression, a function's result or a literal)");
                continue;
            }
            if (source.isEmpty()) {
                untraceable.add(label + " comes from a relation the catalog lookup could not name");
                continue;
            }
            ColumnCatalog.Source from = source.get();
            if (!from.table()) {
                untraceable.add(label + " is read from " + from.schema() + "." + from.relation()
                        + ", which is not a table (a view, a materialized view or a foreign table)");
                continue;
            }
            names[i] = from.toString();
            replacements[i] = !matches(masks, from)
                    ? Replacement.KEEP
                    : TEXT_TYPES.contains(column.type()) ? Replacement.TEXT : Replacement.NULL;
        }
        if (!untraceable.isEmpty()) {
            return new Plan.Untraceable(String.join("; ", untraceable));
        }
        return new Plan.Masking(new RowMasker(result, replacements, names));
    }

    private static boolean matches(List<ColumnMask> masks, ColumnCatalog.Source source) {
        for (ColumnMask mask : masks) {
            for (ColumnPattern pattern : mask.columns()) {
                if (pattern.matchesSource(source.schema(), source.relation(), source.column())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The description this masker was planned for. */
    ResultColumns columns() {
        return columns;
    }

    /** The masked columns (schema.table.column), in result order. */
    List<String> maskedColumns() {
        List<String> masked = new ArrayList<>();
        for (int i = 0; i < replacements.length; i++) {
            if (replacements[i] != Replacement.KEEP && !masked.contains(names[i])) {
                masked.add(names[i]);
            }
        }
        return masked;
    }

    /** Whether this masker replaces nothing, so rows pass as they are. */
    boolean keepsAll() {
        for (Replacement replacement : replacements) {
            if (replacement != Replacement.KEEP) {
                return false;
            }
        }
        return true;
    }

    int width() {
        return replacements.length;
    }

    /** A DataRow ('D') body with the masked values replaced; {@code counts} gets one more per value masked. */
    byte[] mask(byte[] dataRow, Map<String, Long> counts) throws ProtocolViolation {
        Wire.Reader reader = new Wire.Reader(dataRow);
        int count = reader.int16();
        if (count != replacements.length) {
            throw new ProtocolViolation(
                    "a row has " + count + " values, its description " + replacements.length + " columns");
        }
        Wire.Builder out = new Wire.Builder().int16(count);
        for (int i = 0; i < count; i++) {
            int length = reader.int32();
            byte[] value = length < 0 ? new byte[0] : reader.bytes(length);
            switch (replacements[i]) {
                case KEEP -> out.int32(length).bytes(value);
                case TEXT -> {
                    out.int32(MASKED_TEXT.length).bytes(MASKED_TEXT);
                    counts.merge(names[i], 1L, Long::sum);
                }
                case NULL -> {
                    out.int32(-1);
                    counts.merge(names[i], 1L, Long::sum);
                }
            }
        }
        reader.end();
        return out.build();
    }
}
