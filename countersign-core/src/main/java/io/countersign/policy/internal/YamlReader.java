package io.countersign.policy.internal;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.PolicyException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed, strict access to a composed YAML tree: every wrong type, missing key, unknown key and
 * duplicate key becomes a {@link PolicyException} naming the file, the line and (once known) the
 * rule. We read the node tree rather than constructed Java objects because only nodes keep their
 * line numbers.
 */
public final class YamlReader {
    private final String file;
    private final Optional<String> rule;

    private YamlReader(String file, Optional<String> rule) {
        this.file = requireNonNull(file, "file is null");
        this.rule = requireNonNull(rule, "rule is null");
    }

    public static YamlReader forFile(String file) {
        return new YamlReader(file, Optional.empty());
    }

    /** The same file, with errors attributed to the named rule (or test case). */
    public YamlReader forRule(String name) {
        return new YamlReader(file, Optional.of(name));
    }

    public String file() {
        return file;
    }

    /** Parses one YAML document into nodes; a syntax error, several documents or an empty file are errors. */
    public Node compose(String text) {
        LoaderOptions options = new LoaderOptions();
        // A policy has no use for aliases; a small limit stops "billion laughs" expansion.
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(40);
        String withoutBom = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(withoutBom));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            String problem = e.getProblem() != null
                    ? e.getProblem().strip()
                    : java.util.Objects.requireNonNullElse(e.getMessage(), "unreadable YAML");
            // Some problems only make sense with their context: "expected a single document in the stream, but found
            // another document".
            if (e.getContext() != null && problem.startsWith("but ")) {
                problem = e.getContext().strip() + ", " + problem;
            }
            throw new PolicyException(file, line, Optional.empty(), "YAML syntax error: " + problem, e);
        } catch (YAMLException e) {
            throw new PolicyException(file, 0, Optional.empty(), "YAML error: " + e.getMessage(), e);
        }
        if (root == null) {
            throw new PolicyException(file, 0, Optional.empty(), "file is empty");
        }
        return root;
    }

    /** An error at {@code at}'s line, or at no line (0) when there is no node to point at. */
    public PolicyException error(@Nullable Node at, String detail) {
        return new PolicyException(file, at == null ? 0 : line(at), rule, detail);
    }

    public PolicyException error(int line, String detail) {
        return new PolicyException(file, line, rule, detail);
    }

    public static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /**
     * The mapping's entries in file order. Keys must be plain strings from {@code allowed}; a key
     * that is not allowed is an error that suggests the nearest allowed key (typo protection).
     */
    public Map<String, Node> mapping(Node node, String what, Collection<String> allowed) {
        return mapping(node, what, Optional.of(allowed));
    }

    /** A mapping whose keys are data (labels, say) rather than a fixed vocabulary. */
    public Map<String, Node> openMapping(Node node, String what) {
        return mapping(node, what, Optional.empty());
    }

    private Map<String, Node> mapping(Node node, String what, Optional<Collection<String>> vocabulary) {
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, what + " must be a mapping, got " + describe(node));
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || !Tag.STR.equals(scalar.getTag())) {
                throw error(keyNode, what + " has a key that is not a plain name: " + describe(keyNode));
            }
            String key = scalar.getValue();
            if (vocabulary.isPresent() && !vocabulary.get().contains(key)) {
                Collection<String> allowed = vocabulary.get();
                throw error(
                        keyNode,
                        "unknown key '" + key + "' in " + what + suggestion(key, allowed) + " (allowed: "
                                + String.join(", ", allowed) + ")");
            }
            if (entries.putIfAbsent(key, tuple.getValueNode()) != null) {
                throw error(keyNode, "duplicate key '" + key + "' in " + what);
            }
        }
        return entries;
    }

    public Node required(Map<String, Node> entries, String key, Node owner, String what) {
        Node value = entries.get(key);
        if (value == null) {
            throw error(owner, what + " has no '" + key + "'");
        }
        return value;
    }

    public List<Node> sequence(Node node, String what) {
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, what + " must be a list, got " + describe(node));
        }
        return new ArrayList<>(sequence.getValue());
    }

    /** A string scalar; numbers, booleans and nulls are refused (quote them) so that YAML's guessing can't surprise. */
    public String string(Node node, String what) {
        if (node instanceof ScalarNode scalar && Tag.STR.equals(scalar.getTag())) {
            if (scalar.getValue().isBlank()) {
                throw error(node, what + " is empty");
            }
            return scalar.getValue();
        }
        throw error(
                node,
                what + " must be a string, got " + describe(node) + (node instanceof ScalarNode ? " (quote it)" : ""));
    }

    /** Any scalar's text, for values with their own syntax (durations, timestamps) that YAML may have typed. */
    public String scalarText(Node node, String what) {
        if (node instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())) {
            return scalar.getValue();
        }
        throw error(node, what + " must be a single value, got " + describe(node));
    }

    public long integer(Node node, String what) {
        if (node instanceof ScalarNode scalar && Tag.INT.equals(scalar.getTag())) {
            try {
                return Long.decode(scalar.getValue().replace("_", ""));
            } catch (NumberFormatException e) {
                throw error(node, what + " '" + scalar.getValue() + "' is out of range");
            }
        }
        throw error(node, what + " must be an integer, got " + describe(node));
    }

    public boolean bool(Node node, String what) {
        if (node instanceof ScalarNode scalar && Tag.BOOL.equals(scalar.getTag())) {
            return switch (scalar.getValue().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "y" -> true;
                default -> false;
            };
        }
        throw error(node, what + " must be true or false, got " + describe(node));
    }

    public static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
    }

    /** How a node reads in an error: {@code string 'two'}, {@code integer 2}, {@code a list}. */
    public static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        String value = shorten(scalar.getValue());
        if (Tag.STR.equals(tag)) {
            return "string '" + value + "'";
        }
        if (Tag.INT.equals(tag)) {
            return "integer " + value;
        }
        if (Tag.FLOAT.equals(tag)) {
            return "number " + value;
        }
        if (Tag.BOOL.equals(tag)) {
            return "boolean " + value;
        }
        if (Tag.NULL.equals(tag)) {
            return "nothing (null)";
        }
        return "'" + value + "' (" + tag.getValue() + ")";
    }

    private static String shorten(String value) {
        return value.length() <= 60 ? value : value.substring(0, 60) + "...";
    }

    private static String suggestion(String key, Collection<String> allowed) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : allowed) {
            int distance = editDistance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        // Beyond two edits a "did you mean" is more confusing than helpful.
        return best != null && bestDistance <= 2 ? "; did you mean '" + best + "'?" : "";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    public static Set<String> keys(String... names) {
        // Insertion order matters: it is the order the error message lists the allowed keys in.
        return Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
    }
}
