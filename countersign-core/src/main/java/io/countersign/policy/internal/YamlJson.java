package io.countersign.policy.internal;

import java.math.BigInteger;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Test-case params written as YAML, turned into the JSON an agent would have sent. */
public final class YamlJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private YamlJson() {}

    public static ObjectNode object(YamlReader reader, Node node, String what) {
        if (!(toJson(reader, node, what) instanceof ObjectNode object)) {
            throw reader.error(node, what + " must be a mapping, got " + YamlReader.describe(node));
        }
        return object;
    }

    private static JsonNode toJson(YamlReader reader, Node node, String what) {
        if (node instanceof MappingNode mapping) {
            ObjectNode object = JSON.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    throw reader.error(tuple.getKeyNode(), what + " has a key that is not a plain name");
                }
                if (object.has(key.getValue())) {
                    throw reader.error(key, "duplicate key '" + key.getValue() + "' in " + what);
                }
                object.set(key.getValue(), toJson(reader, tuple.getValueNode(), what + "." + key.getValue()));
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = JSON.arrayNode();
            sequence.getValue().forEach(element -> array.add(toJson(reader, element, what + "[]")));
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        String text = scalar.getValue();
        try {
            if (Tag.NULL.equals(tag)) {
                return JSON.nullNode();
            }
            if (Tag.BOOL.equals(tag)) {
                return JSON.booleanNode(reader.bool(node, what));
            }
            if (Tag.INT.equals(tag)) {
                BigInteger value = new BigInteger(text.replace("_", ""));
                // The node types Jackson itself would parse this number into, so params compare equal either way.
                if (value.bitLength() < 32) {
                    return JSON.numberNode(value.intValue());
                }
                return value.bitLength() < 64 ? JSON.numberNode(value.longValue()) : JSON.numberNode(value);
            }
            if (Tag.FLOAT.equals(tag)) {
                return JSON.numberNode(Double.parseDouble(text.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            throw reader.error(
                    node, what + " '" + text + "' is not a number JSON can carry; quote it to send a string");
        }
        // Strings, and YAML's other scalars (timestamps, ...) as the text that was written.
        return JSON.stringNode(text);
    }
}
