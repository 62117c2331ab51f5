package io.countersign.policy.internal;

import io.countersign.policy.Effect;
import io.countersign.policy.Glob;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/** The fields rules and breakers share: a name, an effect, a glob. */
final class PolicyFields {
    /** What a rule's or a breaker's name may be. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    private PolicyFields() {}

    /** The entry's name when it has a usable one, read before its keys are checked, so errors can name it. */
    static Optional<String> peekName(Node node) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key
                        && key.getValue().equals("name")
                        && tuple.getValueNode() instanceof ScalarNode value
                        && Tag.STR.equals(value.getTag())
                        && !value.getValue().isBlank()) {
                    return Optional.of(value.getValue());
                }
            }
        }
        return Optional.empty();
    }

    static Effect effect(YamlReader reader, Node node, String what) {
        String text = reader.string(node, what);
        try {
            return Effect.fromWireName(text);
        } catch (IllegalArgumentException e) {
            throw reader.error(node, "unknown " + what + " '" + text + "'; want allow, deny or require_approval");
        }
    }

    static Optional<Glob> glob(YamlReader reader, @Nullable Node node, String what, Function<String, Glob> factory) {
        if (node == null) {
            return Optional.empty();
        }
        String text = reader.string(node, what);
        try {
            return Optional.of(factory.apply(text));
        } catch (IllegalArgumentException e) {
            throw reader.error(node, what + ": " + e.getMessage());
        }
    }
}
