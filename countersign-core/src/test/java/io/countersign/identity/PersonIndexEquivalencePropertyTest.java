package io.countersign.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.internal.CharacterReadings;
import io.countersign.identity.internal.ReferenceReadings;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Reading each spelling once, checking bounds before the search and indexing the persons answer
 * exactly as the comparison did before (kept as {@link ReferenceResolution} and {@link
 * ReferenceReadings}): the same persons resolved, the same look-alikes, the same pairs
 * confusable. The spellings are variants of the people (case, width, homoglyphs, invisible
 * characters, prefixes, display names, {@code m} written {@code rn}) and names from a small
 * alphabet of easily confused letters, so that both answers come up often.
 */
class PersonIndexEquivalencePropertyTest {
    record Population(List<Person> persons, String sent, Person candidate) {}

    @Property(tries = 500)
    void resolvingThroughTheIndex_answersAsTestingEachPersonDid(@ForAll("populations") Population sample) {
        PersonIndex index = PersonIndex.of(sample.persons());

        assertThat(index.resolve(sample.sent()))
                .as("resolve %s", sample.sent())
                .isEqualTo(ReferenceResolution.resolve(sample.persons(), sample.sent()));
        assertThat(index.confusableWith(sample.candidate()))
                .as("confusable with %s", sample.candidate())
                .isEqualTo(ReferenceResolution.confusableWith(sample.persons(), sample.candidate()));
        Statistics.label("resolved").collect(index.resolve(sample.sent()).isPresent() ? "resolved" : "not resolved");
        Statistics.label("look-alikes")
                .collect(index.confusableWith(sample.candidate()).isEmpty() ? "none" : "some");
    }

    @Property(tries = 500)
    void eachPersonAndSpelling_comparesAsBefore(@ForAll("populations") Population sample) {
        for (Person person : sample.persons()) {
            boolean names = OnBehalfOf.unresolved(sample.sent()).names(person);
            assertThat(names)
                    .as("%s names %s", sample.sent(), person)
                    .isEqualTo(ReferenceResolution.names(sample.sent(), person));
            assertThat(sample.candidate().isConfusableWith(person))
                    .as("%s confusable with %s", sample.candidate(), person)
                    .isEqualTo(ReferenceResolution.isConfusableWith(sample.candidate(), person));
            Statistics.label("names").collect(names);
        }
    }

    @Property(tries = 2000)
    void theBoundsNeverRuleOutAPairTheSearchMatches(@ForAll("pairs") List<String> pair) {
        boolean before = ReferenceReadings.confusable(pair.get(0), pair.get(1));

        assertThat(CharacterReadings.of(pair.get(0)).isConfusableWith(CharacterReadings.of(pair.get(1))))
                .as("%s and %s", pair.get(0), pair.get(1))
                .isEqualTo(before);
        Statistics.collect(before ? "confusable" : "not confusable");
    }

    @Provide
    Arbitrary<Population> populations() {
        Arbitrary<List<Human>> humans = human().list().ofMinSize(1).ofMaxSize(6);
        return humans.flatMap(list -> {
            Arbitrary<String> sent =
                    Arbitraries.oneOf(Arbitraries.of(list).flatMap(PersonVariants::of), spelling(), mSpelledRn(list));
            Arbitrary<Person> candidate = Arbitraries.oneOf(
                    Arbitraries.of(list).flatMap(PersonVariants::of).map(variant -> new Person(variant, "")),
                    human().map(Human::person),
                    Combinators.combine(Arbitraries.of(list), spelling())
                            .as((human, name) -> new Person(name, human.email())));
            return Combinators.combine(sent, candidate)
                    .as((s, c) ->
                            new Population(list.stream().map(Human::person).toList(), s, c));
        });
    }

    @Provide
    Arbitrary<List<String>> pairs() {
        return human().flatMap(human -> {
            String base = human.email().isBlank() ? human.name() : human.email();
            Arbitrary<String> other =
                    Arbitraries.oneOf(PersonVariants.of(human), spelling(), Arbitraries.just(base.replace("m", "rn")));
            return Combinators.combine(Arbitraries.of(human.name(), base), other)
                    .as(List::of);
        });
    }

    /** Names from letters that read as each other ({@code rn} and {@code m}, {@code l}, {@code I} and {@code 1}, {@code 0} and {@code o}). */
    private static Arbitrary<String> spelling() {
        return Arbitraries.strings().withChars("abilmnor10IO").ofMinLength(1).ofMaxLength(8);
    }

    private static Arbitrary<Human> human() {
        return Combinators.combine(spelling(), Arbitraries.of("", "example.com", "corp.example"))
                .as((name, domain) ->
                        new Human(name, domain.isEmpty() ? "" : name + "@" + domain, Set.of("approvers")));
    }

    private static Arbitrary<String> mSpelledRn(List<Human> humans) {
        return Arbitraries.of(humans)
                .flatMap(human -> Arbitraries.of(
                        human.name().replace("m", "rn"), human.name().replace("rn", "m")));
    }
}
