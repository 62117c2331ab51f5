package io.countersign.identity.internal;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The search behind {@link CharacterReadings#isConfusableWith}: whether some choice of a reading
 * per character spells the same text on both sides. It walks both spellings together, carrying
 * the part of one side's reading the other has not matched yet ({@code m} reads {@code rn}), so
 * it is polynomial in the lengths, not exponential in the number of ambiguous characters.
 */
final class ReadingSearch {
    private ReadingSearch() {}

    /**
     * A state: how far each side has been read, and the text one side has read that the other has
     * not yet matched ({@code aheadLeft} says whose it is).
     */
    private record State(int left, int right, String carry, boolean aheadLeft) {}

    static boolean meet(List<List<String>> left, List<List<String>> right) {
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
            List<List<String>> other = readRight ? right : left;
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
