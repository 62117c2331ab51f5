package io.countersign.identity;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.SpoofChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Spellings of a human's name or email that a person would read as theirs: case changes,
 * whitespace at the edges, zero-width and format characters, fullwidth forms, homoglyphs,
 * trailing dots, display-name and {@code mailto:} forms, several at once. The homoglyphs come from
 * the Unicode confusables data as ICU ships it: every BMP code point whose TR39 skeleton is a
 * Latin letter or digit's (Cyrillic {@code а} for {@code a}, {@code ӏ} for {@code l}, {@code ０}
 * for {@code 0}).
 */
public final class PersonVariants {
    private static final Map<Character, List<String>> HOMOGLYPHS = homoglyphs();
    private static final List<String> INVISIBLE = List.of(
            "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f", "\u2061", "\u2062",
            "\u202e", "\u0000", "\u0007", "\u001f");
    private static final List<String> EDGES =
            List.of(" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\u2028", "\u200b");

    private PersonVariants() {}

    /** Variants of the human's name or of their email. */
    public static Arbitrary<String> of(Human human) {
        List<String> bases = human.email().isBlank() ? List.of(human.name()) : List.of(human.name(), human.email());
        Arbitrary<String> base = Arbitraries.of(bases);
        return Combinators.combine(base, Arbitraries.integers().between(1, 3).flatMap(n -> step().list()
                        .ofSize(n)))
                .as((spelling, steps) -> {
                    String variant = spelling;
                    for (Step s : steps) {
                        variant = s.apply(variant);
                    }
                    return variant;
                });
    }

    /** How many homoglyphs the confusables data gives for letters and digits, for the report. */
    public static int homoglyphCount() {
        return HOMOGLYPHS.values().stream().mapToInt(List::size).sum();
    }

    private interface Step {
        String apply(String spelling);
    }

    private static Arbitrary<Step> step() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, 1000);
        return Arbitraries.oneOf(
                Arbitraries.of(true).map(all -> (Step) PersonVariants::upperCaseAscii),
                position.map(p -> (Step) s -> flipCase(s, p)),
                Arbitraries.of(EDGES).map(e -> (Step) s -> e + s),
                Arbitraries.of(EDGES).map(e -> (Step) s -> s + e),
                Combinators.combine(Arbitraries.of(INVISIBLE), position).as((c, p) -> (Step) s -> insert(s, c, p)),
                position.map(p -> (Step) s -> fullwidth(s, p)),
                Arbitraries.of(true).map(all -> (Step) PersonVariants::fullwidthAll),
                Combinators.combine(position, Arbitraries.integers().between(0, 1000))
                        .as((p, k) -> (Step) s -> homoglyph(s, p, k)),
                Arbitraries.of(".", "..").map(dots -> (Step) s -> s + dots),
                Arbitraries.of("mailto:", "MAILTO:", "human:", "user:").map(prefix -> (Step) s -> prefix + s),
                Arbitraries.of("Alice ", "\"Alice\" ", "", "x ").map(display -> (Step) s -> display + "<" + s + ">"),
                Arbitraries.of("\u0301", "\u0308", "\u0327").map(mark -> (Step) s -> insert(s, mark, 1)));
    }

    /**
     * Upper case of the ASCII letters only. A homoglyph put in earlier keeps its case: the upper case
     * of a look-alike need not look like anything the person is called ({@code ſ}, long s, reads as
     * {@code f}, but its upper case is a plain {@code S}, so {@code ALAAASAAA} is not a spelling of
     * alaaafaaa, and a generator that made it failed the property for nothing).
     */
    private static String upperCaseAscii(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.chars().forEach(c -> out.append(c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : (char) c));
        return out.toString();
    }

    /** Flips the case of one ASCII letter (see {@link #upperCaseAscii} for why only those). */
    private static String flipCase(String s, int position) {
        if (s.isEmpty()) {
            return s;
        }
        int i = position % s.length();
        char c = s.charAt(i);
        if (c > 0x7f || !Character.isLetter(c)) {
            return s;
        }
        char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
        return s.substring(0, i) + flipped + s.substring(i + 1);
    }

    private static String insert(String s, String what, int position) {
        int i = position % (s.length() + 1);
        return s.substring(0, i) + what + s.substring(i);
    }

    private static String fullwidth(String s, int position) {
        if (s.isEmpty()) {
            return s;
        }
        int i = position % s.length();
        char c = s.charAt(i);
        return c > ' ' && c < 0x7f ? s.substring(0, i) + (char) (c - 0x21 + 0xff01) + s.substring(i + 1) : s;
    }

    private static String fullwidthAll(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(c > ' ' && c < 0x7f ? (char) (c - 0x21 + 0xff01) : (char) c));
        return out.toString();
    }

    private static String homoglyph(String s, int position, int pick) {
        List<Integer> replaceable = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            if (HOMOGLYPHS.containsKey(Character.toLowerCase(s.charAt(i)))) {
                replaceable.add(i);
            }
        }
        if (replaceable.isEmpty()) {
            return s;
        }
        int i = replaceable.get(position % replaceable.size());
        List<String> glyphs = HOMOGLYPHS.get(Character.toLowerCase(s.charAt(i)));
        return s.substring(0, i) + glyphs.get(pick % glyphs.size()) + s.substring(i + 1);
    }

    private static Map<Character, List<String>> homoglyphs() {
        SpoofChecker checker = new SpoofChecker.Builder().build();
        Map<String, Character> prototypes = new TreeMap<>();
        for (char c : "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray()) {
            prototypes.put(checker.getSkeleton(String.valueOf(c)), c);
        }
        Map<Character, List<String>> glyphs = new TreeMap<>();
        for (int cp = 0x21; cp < 0x10000; cp++) {
            if (!UCharacter.isDefined(cp)
                    || Character.isSurrogate((char) cp)
                    || UCharacter.getType(cp) == UCharacter.PRIVATE_USE) {
                continue;
            }
            String glyph = Character.toString(cp);
            Character prototype = prototypes.get(checker.getSkeleton(glyph));
            if (prototype != null) {
                glyphs.computeIfAbsent(prototype, k -> new ArrayList<>()).add(glyph);
            }
        }
        return glyphs;
    }
}
