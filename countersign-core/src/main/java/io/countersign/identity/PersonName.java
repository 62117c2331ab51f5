package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import io.countersign.identity.internal.Skeletons;
import java.util.BitSet;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A spelling of a person as an agent sends it in {@code onBehalfOf}: a bare email address or a
 * plain name, checked, normalised (NFKC with case folding) and reduced to its confusable-proof
 * skeleton. {@link #parse} is the gate at submission: it refuses rather than repairs, because a
 * value that needs repairing is one that could be spelled to slip past a comparison.
 *
 * @param kind whether it is an email address or a name
 * @param normalised NFKC with case folding: what the request is resolved by and shown as
 * @param skeleton the Unicode TR39 skeleton of the normalised form; equal skeletons look the same
 */
public record PersonName(Kind kind, String normalised, String skeleton) {
    public enum Kind {
        EMAIL,
        NAME
    }

    /** Why a spelling was refused; the message says what is wrong and with which character. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    private static final int MAX_LENGTH = 254; // an email address's longest (RFC 5321 path less its brackets)
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*", Pattern.DOTALL);
    private static final String ADDRESS_SYNTAX = "<>\"(),;:[]\\";
    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
    // Highly restrictive (TR39 5.2): one script, or Latin with the Han-based sets of CJK; never Latin with Cyrillic or
    // Greek.
    private static final SpoofChecker MIXED_SCRIPTS = new SpoofChecker.Builder()
            .setChecks(SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.MIXED_NUMBERS)
            .setRestrictionLevel(SpoofChecker.RestrictionLevel.HIGHLY_RESTRICTIVE)
            .build();

    public PersonName {
        requireNonNull(kind, "kind is null");
        requireNonNull(normalised, "normalised is null");
        requireNonNull(skeleton, "skeleton is null");
    }

    /**
     * Parses what an agent sent.
     *
     * @throws Invalid for leading or trailing whitespace, a control, format or invisible
     *     character, mixed scripts, a display-name, {@code mailto:} or other prefixed form, or an
     *     email address that is not a bare {@code local@domain} (a trailing dot included)
     */
    public static PersonName parse(String sent) {
        requireNonNull(sent, "sent is null");
        if (sent.isEmpty()) {
            throw new Invalid("is empty");
        }
        if (sent.length() > MAX_LENGTH) {
            throw new Invalid("has " + sent.length() + " characters, at most " + MAX_LENGTH + " are allowed");
        }
        if (isSpace(sent.codePointAt(0)) || isSpace(sent.codePointBefore(sent.length()))) {
            throw new Invalid("has leading or trailing whitespace; send the name or address alone, nothing is trimmed");
        }
        sent.codePoints()
                .filter(cp -> cp != ' ' && Skeletons.isInvisible(cp))
                .findFirst()
                .ifPresent(cp -> {
                    throw new Invalid("contains the invisible, control or format character " + describe(cp));
                });
        if (sent.contains("  ")) {
            throw new Invalid("has two spaces in a row");
        }
        // Checked on the normalised form, so a fullwidth colon or bracket is caught like an ASCII one.
        String normalised = NFKC_CASEFOLD.normalize(sent);
        if (PREFIX.matcher(normalised).matches()) {
            throw new Invalid("is a prefixed form ('" + normalised.substring(0, normalised.indexOf(':') + 1)
                    + "'); send the bare email address or name");
        }
        normalised
                .codePoints()
                .filter(cp -> ADDRESS_SYNTAX.indexOf(cp) >= 0)
                .findFirst()
                .ifPresent(cp -> {
                    throw new Invalid("contains '" + Character.toString(cp)
                            + "': display-name and quoted forms are refused; send the bare email address or name");
                });
        if (normalised.contains("  ")
                || isSpace(normalised.codePointAt(0))
                || isSpace(normalised.codePointBefore(normalised.length()))) {
            throw new Invalid("has whitespace at an edge or two spaces in a row once normalised");
        }
        Kind kind = normalised.indexOf('@') >= 0 ? Kind.EMAIL : Kind.NAME;
        if (kind == Kind.EMAIL) {
            requireBareAddress(normalised);
        }
        requireOneScript(sent, normalised);
        return new PersonName(kind, normalised, Skeletons.of(normalised));
    }

    /** Whether the two look the same, and so name the same person. */
    public boolean isConfusableWith(PersonName other) {
        return !skeleton.isEmpty() && skeleton.equals(other.skeleton);
    }

    private static void requireBareAddress(String address) {
        int at = address.indexOf('@');
        if (at != address.lastIndexOf('@')) {
            throw new Invalid("has more than one '@'");
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (local.isEmpty() || domain.isEmpty()) {
            throw new Invalid("is not an email address: it needs a local part and a domain around the '@'");
        }
        if (local.contains(" ") || domain.contains(" ")) {
            throw new Invalid("is an email address with a space in it");
        }
        if (domain.startsWith(".") || domain.endsWith(".") || domain.contains("..")) {
            throw new Invalid(
                    "has the domain '" + domain + "', which has an empty label (a leading, trailing or doubled dot)");
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new Invalid("has the local part '" + local + "', with a leading, trailing or doubled dot");
        }
    }

    private static void requireOneScript(String sent, String normalised) {
        SpoofChecker.CheckResult result = new SpoofChecker.CheckResult();
        if (MIXED_SCRIPTS.failsChecks(normalised, result)) {
            throw new Invalid("mixes scripts (" + scripts(sent) + "); a name or address is written in one");
        }
    }

    private static String scripts(String text) {
        TreeSet<String> names = new TreeSet<>();
        text.codePoints().forEach(cp -> {
            BitSet extensions = new BitSet();
            UScript.getScriptExtensions(cp, extensions);
            extensions.stream()
                    .filter(s -> s != UScript.COMMON && s != UScript.INHERITED)
                    .forEach(s -> names.add(UScript.getName(s)));
        });
        return String.join(", ", names);
    }

    private static boolean isSpace(int codePoint) {
        return UCharacter.isUWhiteSpace(codePoint) || Skeletons.isInvisible(codePoint);
    }

    private static String describe(int codePoint) {
        String name = UCharacter.getExtendedName(codePoint);
        return String.format(Locale.ROOT, "U+%04X (%s)", codePoint, name == null ? "unnamed" : name);
    }
}
