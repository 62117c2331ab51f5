package io.countersign.identity.internal;

import com.ibm.icu.text.Normalizer2;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link CharacterReadings} as it was before a spelling's readings were computed once and checked
 * against bounds before the search (commit 4f505a1), kept verbatim as the oracle the property
 * tests hold the new comparison to: it reads both spellings on every call and always searches.
 */
public final class ReferenceReadings {
    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();

    private ReferenceReadings() {}

    /** Whether some reading of {@code a} is some reading of {@code b}; empty spellings are confusable with nothing. */
    public static boolean confusable(String a, String b) {
        List<Set<String>> left = readings(a);
        List<Set<String>> right = readings(b);
        if (left.isEmpty() || right.isEmpty()) {
            return false;
        }
        return meet(left, right);
    }

    /** The readings of each visible character; trailing characters that read only as dots are dropped, as in Skeletons.of. */
    static List<Set<String>> readings(String text) {
        List<Set<String>> readings = new ArrayList<>();
        Skeletons.visibleBase(text).codePoints().forEach(codePoint -> {
            String character = Character.toString(codePoint);
            Set<String> ways = new LinkedHashSet<>();
            ways.add(Skeletons.folded(character));
            ways.add(Skeletons.foldedUnfolded(character));
            ways.add(Skeletons.foldedUnfolded(NFKC.normalize(character)));
            readings.add(Set.copyOf(ways));
        });
        while (!readings.isEmpty() && readings.getLast().stream().allMatch(ReferenceReadings::onlyDots)) {
            readings.removeLast();
        }
        return readings;
    }

    private static boolean onlyDots(String reading) {
        return reading.chars().allMatch(c -> c == '.');
    }

    /**
     * A state: how far each side has been read, and the text one side has read that the other has
     * not yet matched ({@code aheadLeft} says whose it is).
     */
    private record State(int left, int right, String carry, boolean aheadLeft) {}

    private static boolean meet(List<Set<String>> left, List<Set<String>> right) {
        ArrayDeque<State> todo = new ArrayDeque<>();
        Set<State> seen = new HashSet<>();
        todo.add(new State(0, 0, "", true));
        while (!todo.isEmpty()) {
            State state = todo.poll();
            if (!seen.add(state)) {
                continue;
            }
            if (state.carry().isEmpty()) {
                if (state.left() == left.size() && state.right() == right.size()) {
                    return true;
                }
                if (state.left() < left.size()) {
                    for (String reading : left.get(state.left())) {
                        todo.add(new State(state.left() + 1, state.right(), reading, true));
                    }
                }
                if (state.right() < right.size()) {
                    for (String reading : right.get(state.right())) {
                        todo.add(new State(state.left(), state.right() + 1, reading, false));
                    }
                }
                continue;
            }
            boolean readRight = state.aheadLeft();
            int next = readRight ? state.right() : state.left();
            List<Set<String>> other = readRight ? right : left;
            if (next == other.size()) {
                continue;
            }
            for (String reading : other.get(next)) {
                String carry = state.carry();
                int nextLeft = readRight ? state.left() : state.left() + 1;
                int nextRight = readRight ? state.right() + 1 : state.right();
                if (carry.startsWith(reading)) {
                    todo.add(new State(nextLeft, nextRight, carry.substring(reading.length()), state.aheadLeft()));
                } else if (reading.startsWith(carry)) {
                    todo.add(new State(nextLeft, nextRight, reading.substring(carry.length()), !state.aheadLeft()));
                }
            }
        }
        return false;
    }
}
