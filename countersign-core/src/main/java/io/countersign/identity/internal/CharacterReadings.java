package io.countersign.identity.internal;

import com.ibm.icu.text.Normalizer2;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The readings of a spelling, one character at a time, for telling whether two spellings can be
 * read as the same. A whole-spelling skeleton has to choose, for all of its characters at once,
 * whether to take TR39's prototype of the folded or of the unfolded form, and some characters need
 * one while others need the other: in {@code AAƄAAAI}, {@code Ƅ} looks like {@code b} only
 * unfolded, while {@code I} is the upper case of {@code i} only folded (unfolded it looks like
 * {@code l}), so neither skeleton of it is {@code aabaaai}'s. Here each character has its readings
 * (its folded skeleton, and the folded skeleton of its unfolded one), and two spellings are
 * confusable when some choice of a reading per character spells the same text on both sides.
 * Found by ConfusableVariantsPropertyTest.
 *
 * <p>A value is computed once per spelling ({@link #of}), since the readings cost a few ICU calls
 * per character, and compared many times. Each comparison first checks what every common text
 * would need ({@link ReadingBounds}), which rules out nearly every pair of different people
 * without searching; only a pair that passes is searched (see {@link ReadingSearch}).
 */
public final class CharacterReadings {
    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();

    private final List<List<String>> characters;
    private final ReadingBounds bounds;

    private CharacterReadings(List<List<String>> characters) {
        this.characters = characters;
        this.bounds = ReadingBounds.of(characters);
    }

    /** The readings of each visible character; trailing characters that read only as dots are dropped, as in {@link Skeletons#of}. */
    public static CharacterReadings of(String text) {
        List<List<String>> readings = new ArrayList<>();
        Skeletons.visibleBase(text).codePoints().forEach(codePoint -> {
            String character = Character.toString(codePoint);
            Set<String> ways = new LinkedHashSet<>();
            ways.add(Skeletons.folded(character));
            ways.add(Skeletons.foldedUnfolded(character));
            ways.add(Skeletons.foldedUnfolded(NFKC.normalize(character)));
            readings.add(List.copyOf(ways));
        });
        while (!readings.isEmpty() && readings.getLast().stream().allMatch(CharacterReadings::onlyDots)) {
            readings.removeLast();
        }
        return new CharacterReadings(List.copyOf(readings));
    }

    /** Whether some reading of this spelling is some reading of {@code other}'s; an empty one is confusable with nothing. */
    public boolean isConfusableWith(CharacterReadings other) {
        if (characters.isEmpty() || other.characters.isEmpty()) {
            return false;
        }
        return bounds.admitsCommonTextWith(other.bounds) && ReadingSearch.meet(characters, other.characters);
    }

    private static boolean onlyDots(String reading) {
        return reading.chars().allMatch(c -> c == '.');
    }

    /**
     * What every text that some choice of readings spells has in common: its length lies between
     * the sum of the shortest and of the longest readings, and it holds each character at least as
     * often as the readings that every choice includes, and at most as often as the readings that
     * hold most of it. A text both spellings read as meets both sides' bounds, so two spellings
     * whose bounds have nothing in common can't be confusable: the check only ever skips a search
     * that would have failed.
     *
     */
    private static final class ReadingBounds {
        private final int shortest;
        private final int longest;
        private final char[] letters; // the characters (UTF-16 units) some reading holds, ascending
        private final int[] least; // for each letter, how often every choice of readings holds it
        private final int[] most; // for each letter, how often a choice of readings holds it, at most

        private ReadingBounds(int shortest, int longest, char[] letters, int[] least, int[] most) {
            this.shortest = shortest;
            this.longest = longest;
            this.letters = letters;
            this.least = least;
            this.most = most;
        }

        static ReadingBounds of(List<List<String>> characters) {
            int shortest = 0;
            int longest = 0;
            TreeMap<Character, int[]> counts = new TreeMap<>(); // {least, most}
            for (List<String> ways : characters) {
                shortest += ways.stream().mapToInt(String::length).min().orElse(0);
                longest += ways.stream().mapToInt(String::length).max().orElse(0);
                Set<Character> seen = new LinkedHashSet<>();
                ways.forEach(way -> way.chars().forEach(c -> seen.add((char) c)));
                for (char letter : seen) {
                    int fewest = ways.stream()
                            .mapToInt(way -> count(way, letter))
                            .min()
                            .orElse(0);
                    int mostOf = ways.stream()
                            .mapToInt(way -> count(way, letter))
                            .max()
                            .orElse(0);
                    int[] sum = counts.computeIfAbsent(letter, key -> new int[2]);
                    sum[0] += fewest;
                    sum[1] += mostOf;
                }
            }
            char[] letters = new char[counts.size()];
            int[] least = new int[counts.size()];
            int[] most = new int[counts.size()];
            int i = 0;
            for (var entry : counts.entrySet()) {
                letters[i] = entry.getKey();
                least[i] = entry.getValue()[0];
                most[i] = entry.getValue()[1];
                i++;
            }
            return new ReadingBounds(shortest, longest, letters, least, most);
        }

        /** Whether some text could lie within both bounds (necessary for a common reading, not sufficient). */
        boolean admitsCommonTextWith(ReadingBounds other) {
            return shortest <= other.longest
                    && other.shortest <= longest
                    && leastFitsWithin(this, other)
                    && leastFitsWithin(other, this);
        }

        /** Whether each character {@code a} always holds is one {@code b} can hold as often; a merge of the two ascending lists. */
        private static boolean leastFitsWithin(ReadingBounds a, ReadingBounds b) {
            int j = 0;
            for (int i = 0; i < a.letters.length; i++) {
                if (a.least[i] == 0) {
                    continue;
                }
                char letter = a.letters[i];
                while (j < b.letters.length && b.letters[j] < letter) {
                    j++;
                }
                int room = j < b.letters.length && b.letters[j] == letter ? b.most[j] : 0;
                if (a.least[i] > room) {
                    return false;
                }
            }
            return true;
        }

        private static int count(String way, char letter) {
            int n = 0;
            for (int i = 0; i < way.length(); i++) {
                if (way.charAt(i) == letter) {
                    n++;
                }
            }
            return n;
        }
    }
}
