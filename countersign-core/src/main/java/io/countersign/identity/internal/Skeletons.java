package io.countersign.identity.internal;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The confusable-proof form of a spelling: what two spellings that look the same have in common.
 * Only {@link io.countersign.identity.PersonId} and {@link io.countersign.identity.PersonName}
 * call this; everything else compares their values.
 *
 * <p>The steps, in order: drop what can't be seen (default-ignorable, format, control and
 * separator characters, so {@code "\u200Balice"} and {@code "ali ce"} fold together); NFKC with
 * Unicode case folding ({@code ａlice} and {@code ALICE} become {@code alice}); strip combining
 * marks, so a name that differs only by an accent ({@code álice}) is not a different person;
 * then the Unicode TR39 skeleton from ICU's {@link SpoofChecker}, which maps each character to
 * the prototype it is confusable with (Cyrillic {@code а} to Latin {@code a}, {@code 1} to
 * {@code l}); finally trailing dots go ({@code example.com.} names the same domain as
 * {@code example.com}). Folding this much errs toward "the same person": a refused vote or a
 * refused new account, never an approval by the person the request acts for.
 */
public final class Skeletons {
    // Immutable once built, and ICU documents both as safe to share between threads.
    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
    private static final Normalizer2 NFD = Normalizer2.getNFDInstance();
    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();
    private static final SpoofChecker SKELETONS = new SpoofChecker.Builder().build();

    private Skeletons() {}

    /** The skeleton of {@code text}, case folded first: what a person's identity is made of. */
    public static String of(String text) {
        return withoutTrailingDots(folded(text));
    }

    /** {@link #of} without dropping trailing dots: what one character of a spelling reads as. */
    static String folded(String text) {
        String folded = NFKC_CASEFOLD.normalize(withoutInvisible(text));
        return withoutMarks(NFD.normalize(SKELETONS.getSkeleton(withoutMarks(NFD.normalize(folded)))));
    }

    /** {@link #folded} of the skeleton of the unfolded character: how it reads in its own case. */
    static String foldedUnfolded(String character) {
        return folded(SKELETONS.getSkeleton(withoutMarks(NFD.normalize(character))));
    }

    /** The characters of a spelling a reader sees, decomposed and without combining marks. */
    static String visibleBase(String text) {
        return withoutMarks(NFD.normalize(withoutInvisible(text)));
    }

    /**
     * Every skeleton of {@code text}: {@link #of}, and the skeleton taken before case folding and
     * compatibility mapping. Folding first makes {@code ALICE} and {@code alice} one, but loses what
     * TR39 knows about the unfolded characters: {@code aIice} (a capital i) looks like
     * {@code alice} only before the {@code I} becomes {@code i}, and {@code ſ} (long s) looks like
     * {@code f}, not like the {@code s} that NFKC makes of it. Two spellings are confusable when any
     * skeleton of one is a skeleton of the other.
     */
    public static Set<String> all(String text) {
        String visible = withoutInvisible(text);
        return Stream.of(of(text), foldedSkeleton(visible), foldedSkeleton(NFKC.normalize(visible)))
                .filter(key -> !key.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The skeleton of the unfolded text, then {@link #of} that: folded and skeletoned again, so it
     * meets {@link #of} of the plain spelling. Skeletons of upper and lower case differ ({@code m}
     * becomes {@code rn}, {@code M} stays), so without the second pass {@code ƄAA@EXAMPLE.COM}
     * ({@code Ƅ} looks like {@code b} only in its unfolded form) gave {@code baa@example.com} while
     * the person's own key is {@code baa@exarnple.corn}: resolved to nobody, and not refused.
     */
    private static String foldedSkeleton(String visible) {
        return of(SKELETONS.getSkeleton(withoutMarks(NFD.normalize(visible))));
    }

    private static String withoutTrailingDots(String skeleton) {
        int end = skeleton.length();
        while (end > 0 && skeleton.charAt(end - 1) == '.') {
            end--;
        }
        return skeleton.substring(0, end);
    }

    /** Whether a code point is one a reader can't see or tell apart from a plain space. */
    public static boolean isInvisible(int codePoint) {
        int type = UCharacter.getType(codePoint);
        return UCharacter.hasBinaryProperty(codePoint, UProperty.DEFAULT_IGNORABLE_CODE_POINT)
                || type == UCharacter.CONTROL
                || type == UCharacter.FORMAT
                || type == UCharacter.UNASSIGNED
                || type == UCharacter.PRIVATE_USE
                || type == UCharacter.SURROGATE
                || type == UCharacter.SPACE_SEPARATOR
                || type == UCharacter.LINE_SEPARATOR
                || type == UCharacter.PARAGRAPH_SEPARATOR
                || UCharacter.isWhitespace(codePoint);
    }

    private static String withoutInvisible(String text) {
        StringBuilder kept = new StringBuilder(text.length());
        text.codePoints().filter(cp -> !isInvisible(cp)).forEach(kept::appendCodePoint);
        return kept.toString();
    }

    private static String withoutMarks(String decomposed) {
        StringBuilder kept = new StringBuilder(decomposed.length());
        decomposed.codePoints().filter(cp -> !isMark(cp)).forEach(kept::appendCodePoint);
        return kept.toString();
    }

    private static boolean isMark(int codePoint) {
        int type = UCharacter.getType(codePoint);
        return type == UCharacter.NON_SPACING_MARK || type == UCharacter.ENCLOSING_MARK;
    }
}
