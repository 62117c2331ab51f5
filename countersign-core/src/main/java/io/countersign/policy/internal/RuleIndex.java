package io.countersign.policy.internal;

import io.countersign.policy.Effect;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds the rules that can possibly match an action without looking at the others: a character
 * trie over each rule's literal action prefix (the text before its first wildcard). A rule with no
 * action glob, or one starting with a wildcard, sits at the root: the catch-all.
 *
 * <p>Each node stores, per effect, every rule filed at it or at any ancestor, in file order. So a
 * lookup walks the action's characters down the trie as far as the trie goes and takes that node's
 * lists: no merging or sorting while deciding. Immutable once built; safe to share across threads.
 */
public final class RuleIndex {
    private static final List<CompiledRule> NONE = List.of();

    private final Node root;

    private RuleIndex(Node root) {
        this.root = root;
    }

    /** The rules one action may match, by effect; what a lookup returns. */
    public static final class Node {
        private final Map<Character, Node> children = new HashMap<>();
        private final List<CompiledRule> own = new ArrayList<>();
        // Filled by seal() and never changed after; an EnumMap lookup is an array access.
        private final Map<Effect, List<CompiledRule>> candidates = new EnumMap<>(Effect.class);

        private Node() {}

        /** The rules of {@code effect} whose action prefix is a prefix of the looked-up action, in file order. */
        public @Nullable List<CompiledRule> candidates(Effect effect) {
            return candidates.get(effect);
        }
    }

    /** @param rules in file order */
    public static RuleIndex of(List<CompiledRule> rules) {
        Node root = new Node();
        for (CompiledRule rule : rules) {
            Node node = root;
            String prefix = rule.actionPrefix();
            for (int i = 0; i < prefix.length(); i++) {
                node = node.children.computeIfAbsent(prefix.charAt(i), c -> new Node());
            }
            node.own.add(rule);
        }
        seal(root, List.of());
        return new RuleIndex(root);
    }

    private static void seal(Node node, List<CompiledRule> inherited) {
        List<CompiledRule> all = new ArrayList<>(inherited);
        all.addAll(node.own);
        all.sort((a, b) -> Integer.compare(a.index(), b.index()));
        for (Effect effect : Effect.values()) {
            List<CompiledRule> ofEffect =
                    all.stream().filter(rule -> rule.effect() == effect).toList();
            node.candidates.put(effect, ofEffect.isEmpty() ? NONE : ofEffect);
        }
        List<CompiledRule> passedOn = List.copyOf(all);
        for (Node child : node.children.values()) {
            seal(child, passedOn);
        }
    }

    /** The node of the longest rule prefix that {@code action} starts with. */
    public Node lookup(String action) {
        Node node = root;
        for (int i = 0; i < action.length(); i++) {
            Node child = node.children.get(action.charAt(i));
            if (child == null) {
                break;
            }
            node = child;
        }
        return node;
    }
}
