package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import com.ibm.icu.text.Normalizer2;
import io.countersign.identity.internal.CharacterReadings;
import io.countersign.identity.internal.Skeletons;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What an {@code onBehalfOf} spelling reads as, read once and then compared with each person:
 * {@link OnBehalfOf#names} and {@link KnownHumans#resolve} share it, so a spelling sent on behalf
 * of someone costs its ICU calls once per request, not once per known human.
 */
final class SentSpelling {
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();

    private final Set<String> skeletons;
    private final List<CharacterReadings> readings;

    private SentSpelling(Set<String> skeletons, List<CharacterReadings> readings) {
        this.skeletons = skeletons;
        this.readings = readings;
    }

    static SentSpelling of(String sent) {
        requireNonNull(sent, "sent is null");
        List<String> spellings = new ArrayList<>();
        addReadings(sent, spellings);
        addReadings(NFKC.normalize(sent), spellings);
        List<String> distinct = spellings.stream().distinct().toList();
        return new SentSpelling(
                distinct.stream()
                        .flatMap(spelling -> Skeletons.all(spelling).stream())
                        .collect(Collectors.toUnmodifiableSet()),
                distinct.stream().map(CharacterReadings::of).toList());
    }

    /**
     * The skeletons of what was sent, read as generously as an onlooker would: a request stored
     * before submission refused prefixed and display-name forms ({@code mailto:alice@x},
     * {@code Alice <alice@x>}) still names alice, under each of those spellings.
     */
    Set<String> skeletons() {
        return skeletons;
    }

    /** Whether this spelling names the person: a skeleton in common, or a reading a character at a time. */
    boolean names(Person person) {
        Set<String> theirs = person.skeletons();
        return skeletons.stream().anyMatch(theirs::contains) || readsAs(person);
    }

    /** Whether some reading of what was sent, a character at a time, is one of the person's name or email. */
    boolean readsAs(Person person) {
        return readings.stream().anyMatch(person::isReadableAs);
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
