package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import com.ibm.icu.text.Normalizer2;
import io.countersign.identity.internal.Skeletons;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Whom a request acts for: the spelling the agent sent, and the known person it resolved to at
 * submission, when one matched (by a verified delegation's token, or by the humans the gateway
 * knows). {@link #names(Person)} is the separation-of-duties test that the vote rule and the
 * evidence report share.
 *
 * @param sent exactly what the agent sent
 * @param resolvedTo the known person it resolved to; empty when it matched nobody the gateway knows
 */
public record OnBehalfOf(String sent, Optional<Person> resolvedTo) {
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();

    public OnBehalfOf {
        requireNonNull(sent, "sent is null");
        requireNonNull(resolvedTo, "resolvedTo is null");
    }

    public static OnBehalfOf unresolved(String sent) {
        return new OnBehalfOf(sent, Optional.empty());
    }

    /** For people to read: what was sent, and whom it resolved to when that says more ({@code bob (resolved to bob <bob@example.com>)}). */
    public String display() {
        return resolvedTo
                .filter(person -> !person.toString().equals(sent))
                .map(person -> sent + " (resolved to " + person + ")")
                .orElse(sent);
    }

    /**
     * Whether this is the person the request acts for: the person it resolved to, or anyone whose
     * name or email is confusable with what was sent or with whom it resolved to.
     */
    public boolean names(Person person) {
        requireNonNull(person, "person is null");
        Set<String> theirs = person.skeletons();
        if (skeletonsOfSent().stream().anyMatch(theirs::contains)
                || readingsOfSent().stream().anyMatch(person::isReadableAs)) {
            return true;
        }
        return resolvedTo.filter(resolved -> resolved.isConfusableWith(person)).isPresent();
    }

    /**
     * The skeletons of what was sent, read as generously as an onlooker would: a request stored
     * before submission refused prefixed and display-name forms ({@code mailto:alice@x},
     * {@code Alice <alice@x>}) still names alice, under each of those spellings.
     */
    Set<String> skeletonsOfSent() {
        return readingsOfSent().stream()
                .flatMap(spelling -> Skeletons.all(spelling).stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** What was sent, and what it reads as without its prefixes, quotes and display-name form. */
    private List<String> readingsOfSent() {
        List<String> spellings = new ArrayList<>();
        addReadings(sent, spellings);
        addReadings(NFKC.normalize(sent), spellings);
        return spellings;
    }

    /**
     * The spelling, without its prefixes ({@code mailto:}, {@code human:}) and quotes, and the
     * address and display name of a {@code Name <address>} form.
     */
    private static void addReadings(String spelling, List<String> readings) {
        String bare = spelling.strip();
        readings.add(bare);
        while (PREFIX.matcher(bare).find()) {
            bare = PREFIX.matcher(bare).replaceFirst("").strip();
            readings.add(bare);
        }
        readings.add(bare.replace("\"", "")); // "alice"@example.com is alice@example.com
        int open = bare.indexOf('<');
        int close = bare.lastIndexOf('>');
        if (open >= 0 && close > open) {
            readings.add(bare.substring(0, open).replace("\"", ""));
            String inside = bare.substring(open + 1, close).strip();
            readings.add(inside);
            readings.add(PREFIX.matcher(inside).replaceFirst("").replace("\"", ""));
        }
    }
}
