package io.countersign.policy.internal;

import io.countersign.policy.ColumnMask;
import io.countersign.policy.ColumnPattern;
import io.countersign.policy.Effect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Node;

/** Reads a rule's {@code mask: {columns: [email, "*.ssn", public.users.phone]}}; errors name the line and rule. */
final class MaskReader {
    private static final Set<String> MASK_KEYS = YamlReader.keys("columns");

    private MaskReader() {}

    /** The rule's mask, or empty when it has none; a deny rule may not have one (what it denies returns nothing). */
    static Optional<ColumnMask> read(YamlReader reader, @Nullable Node node, String rule, Effect effect) {
        if (node == null) {
            return Optional.empty();
        }
        if (effect == Effect.DENY) {
            throw reader.error(
                    node, "'mask' is only for effect allow or require_approval; a denied action returns nothing");
        }
        Map<String, Node> entries = reader.mapping(node, "mask", MASK_KEYS);
        Node columnsNode = reader.required(entries, "columns", node, "mask");
        List<ColumnPattern> columns = new ArrayList<>();
        for (Node column : reader.sequence(columnsNode, "mask.columns")) {
            String text = reader.string(column, "a column in mask.columns");
            ColumnPattern pattern;
            try {
                pattern = ColumnPattern.parse(text.trim());
            } catch (IllegalArgumentException e) {
                throw reader.error(column, "mask.columns: " + e.getMessage());
            }
            if (!columns.contains(pattern)) {
                columns.add(pattern);
            }
        }
        if (columns.isEmpty()) {
            throw reader.error(columnsNode, "mask.columns is empty; name at least one column, or leave out 'mask'");
        }
        return Optional.of(new ColumnMask(rule, columns));
    }
}
