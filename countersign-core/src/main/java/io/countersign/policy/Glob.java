package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A name pattern in a rule's {@code match}. Actions are dotted ({@code db.export}), resources are
 * slashed ({@code db/prod/customers}), agent names have no segments.
 *
 * <ul>
 *   <li>{@code *} matches any run of characters (possibly none) inside one segment: {@code iam.*}
 *       matches {@code iam.grant} but not {@code iam.role.create}.
 *   <li>{@code **}, which must be a whole segment, matches any number of segments, including none:
 *       {@code iam.**} matches {@code iam}, {@code iam.grant} and {@code iam.role.create}.
 *   <li>Everything else matches itself, case-sensitively.
 * </ul>
 *
 * For agent names, which have no segments, {@code *} and {@code **} both match anything. Shell
 * wildcards {@code ? [ ] { }} are refused rather than matched literally, so that nobody believes
 * they work.
 */
public final class Glob {
    /** What the glob is matched against; decides the segment separator and the allowed characters. */
    public enum Kind {
        ACTION('.', Pattern.compile("[A-Za-z0-9_-]*")),
        RESOURCE('/', Pattern.compile("[A-Za-z0-9_.:@=+-]*")),
        AGENT('\0', Pattern.compile("[^\\s?\\[\\]{}]*"));

        private final char separator;
        private final Pattern literal;

        Kind(char separator, Pattern literal) {
            this.separator = separator;
            this.literal = literal;
        }

        boolean hasSegments() {
            return separator != '\0';
        }
    }

    private final Kind kind;
    private final String text;
    private final String literalPrefix;
    // null for a glob without wildcards: plain equality is cheaper than a regex.
    private final @Nullable Pattern pattern;

    private Glob(Kind kind, String text) {
        this.kind = kind;
        this.text = text;
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty pattern; leave the key out to match every "
                    + kind.name().toLowerCase());
        }
        if (kind.hasSegments()) {
            validateSegments();
        } else if (!kind.literal.matcher(text.replace("*", "")).matches()) {
            throw new IllegalArgumentException(
                    "pattern '" + text + "' has whitespace or one of ? [ ] { }; the only wildcard is '*'");
        }
        this.pattern =
                text.indexOf('*') < 0 ? null : Pattern.compile(kind.hasSegments() ? segmentedRegex() : flatRegex());
        this.literalPrefix = computeLiteralPrefix();
    }

    public static Glob action(String text) {
        return new Glob(Kind.ACTION, requireNonNull(text, "text is null"));
    }

    public static Glob resource(String text) {
        return new Glob(Kind.RESOURCE, requireNonNull(text, "text is null"));
    }

    public static Glob agent(String text) {
        return new Glob(Kind.AGENT, requireNonNull(text, "text is null"));
    }

    public boolean matches(String name) {
        return pattern == null ? text.equals(name) : pattern.matcher(name).matches();
    }

    /**
     * The characters every matching name starts with: the text before the first wildcard, without
     * a trailing separator in front of {@code **} (which may match no segment at all, so
     * {@code iam.**} matches {@code iam}). The rule index files rules under this prefix.
     */
    public String literalPrefix() {
        return literalPrefix;
    }

    public boolean isLiteral() {
        return pattern == null;
    }

    public Kind kind() {
        return kind;
    }

    /** The pattern as written in the policy. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Glob glob && glob.kind == kind && glob.text.equals(text);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    private List<String> segments() {
        // split with limit -1 keeps empty leading and trailing segments, which we must refuse.
        return List.of(text.split(Pattern.quote(String.valueOf(kind.separator)), -1));
    }

    private void validateSegments() {
        String separator = String.valueOf(kind.separator);
        for (String segment : segments()) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("pattern '" + text
                        + "' has an empty segment (a leading, trailing or doubled '" + separator + "')");
            }
            if (segment.contains("**") && !segment.equals("**")) {
                throw new IllegalArgumentException(
                        "pattern '" + text + "': '**' must be a whole segment, got '" + segment + "'");
            }
            String literal = segment.replace("*", "");
            if (!kind.literal.matcher(literal).matches()) {
                throw new IllegalArgumentException("pattern '" + text + "' has a character not allowed in "
                        + (kind == Kind.ACTION
                                ? "an action (letters, digits, '_', '-'; segments separated by '.')"
                                : "a resource (letters, digits and _ . : @ = + -; segments separated by '/')")
                        + "; the only wildcards are '*' and '**'");
            }
        }
    }

    private String flatRegex() {
        StringBuilder regex = new StringBuilder();
        String[] literals = text.split("\\*+", -1);
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!literals[i].isEmpty()) {
                regex.append(Pattern.quote(literals[i]));
            }
        }
        return regex.toString();
    }

    /**
     * Each plain segment becomes its literal parts joined by "any run of non-separators"; a
     * {@code **} segment becomes "zero or more whole segments", written so that the separators
     * around it are consumed only when it matches at least one segment.
     */
    private String segmentedRegex() {
        String sep = Pattern.quote(String.valueOf(kind.separator));
        String notSep = "[^" + Pattern.quote(String.valueOf(kind.separator)) + "]";
        List<String> segments = collapseDoubleStars(segments());
        StringBuilder regex = new StringBuilder();
        boolean separatorPending = false;
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.equals("**")) {
                if (segments.size() == 1) {
                    regex.append(".+");
                } else if (i == 0) {
                    regex.append("(?:").append(notSep).append("+").append(sep).append(")*");
                } else {
                    regex.append("(?:").append(sep).append(notSep).append("+)*");
                }
                // A segment after "**" at the start needs no separator of its own: the group above ends with one.
                separatorPending = i != 0;
                continue;
            }
            if (separatorPending) {
                regex.append(sep);
            }
            String[] literals = segment.split("\\*", -1);
            for (int k = 0; k < literals.length; k++) {
                if (k > 0) {
                    regex.append(notSep).append('*');
                }
                if (!literals[k].isEmpty()) {
                    regex.append(Pattern.quote(literals[k]));
                }
            }
            separatorPending = true;
        }
        return regex.toString();
    }

    private static List<String> collapseDoubleStars(List<String> segments) {
        List<String> collapsed = new ArrayList<>();
        for (String segment : segments) {
            if (!(segment.equals("**")
                    && !collapsed.isEmpty()
                    && collapsed.getLast().equals("**"))) {
                collapsed.add(segment);
            }
        }
        return collapsed;
    }

    private String computeLiteralPrefix() {
        int star = text.indexOf('*');
        if (star < 0) {
            return text;
        }
        String prefix = text.substring(0, star);
        boolean doubleStar = star + 1 < text.length() && text.charAt(star + 1) == '*';
        if (doubleStar && kind.hasSegments() && !prefix.isEmpty()) {
            return prefix.substring(0, prefix.length() - 1);
        }
        return prefix;
    }
}
