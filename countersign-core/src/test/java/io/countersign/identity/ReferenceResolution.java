package io.countersign.identity;

import com.ibm.icu.text.Normalizer2;
import io.countersign.identity.internal.ReferenceReadings;
import io.countersign.identity.internal.Skeletons;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Resolution as it was before readings were computed once and persons indexed (commit 4f505a1):
 * {@code Person.isConfusableWith}, {@code OnBehalfOf.names}, {@code KnownHumans.resolve} and
 * {@code confusableWith}, testing each person in turn from the strings, with {@link
 * ReferenceReadings}. The oracle for PersonIndexEquivalencePropertyTest.
 */
final class ReferenceResolution {
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();

    private ReferenceResolution() {}

    static Optional<Person> resolve(List<Person> persons, String sent) {
        Map<PersonId, List<Person>> named =
                persons.stream().filter(person -> names(sent, person)).collect(Collectors.groupingBy(Person::id));
        if (named.size() != 1) {
            return Optional.empty();
        }
        return named.values().iterator().next().stream()
                .min(Comparator.comparing(Person::name).thenComparing(Person::email));
    }

    static List<Person> confusableWith(List<Person> persons, Person candidate) {
        return persons.stream()
                .filter(person -> isConfusableWith(candidate, person))
                .distinct()
                .toList();
    }

    static boolean isConfusableWith(Person one, Person other) {
        Set<String> mine = skeletons(one);
        return one.id().equals(other.id())
                || skeletons(other).stream().anyMatch(mine::contains)
                || spellings(one).anyMatch(spelling -> isReadableAs(other, spelling));
    }

    static boolean names(String sent, Person person) {
        Set<String> theirs = skeletons(person);
        return skeletonsOfSent(sent).stream().anyMatch(theirs::contains)
                || readingsOfSent(sent).stream().anyMatch(spelling -> isReadableAs(person, spelling));
    }

    private static boolean isReadableAs(Person person, String spelling) {
        return spellings(person).anyMatch(mine -> ReferenceReadings.confusable(spelling, mine));
    }

    private static Stream<String> spellings(Person person) {
        return Stream.of(person.name(), person.email()).filter(spelling -> !spelling.isBlank());
    }

    private static Set<String> skeletons(Person person) {
        return Stream.of(person.name(), person.email())
                .flatMap(spelling -> Skeletons.all(spelling).stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static Set<String> skeletonsOfSent(String sent) {
        return readingsOfSent(sent).stream()
                .flatMap(spelling -> Skeletons.all(spelling).stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static List<String> readingsOfSent(String sent) {
        List<String> spellings = new ArrayList<>();
        addReadings(sent, spellings);
        addReadings(NFKC.normalize(sent), spellings);
        return spellings;
    }

    private static void addReadings(String spelling, List<String> readings) {
        String bare = spelling.strip();
        readings.add(bare);
        while (PREFIX.matcher(bare).find()) {
            bare = PREFIX.matcher(bare).replaceFirst("").strip();
            readings.add(bare);
        }
        readings.add(bare.replace("\"", ""));
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
