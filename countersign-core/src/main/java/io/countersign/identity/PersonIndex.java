package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The known persons, indexed by identity and by skeleton, for {@link KnownHumans#resolve} and
 * {@link KnownHumans#confusableWith}. It answers exactly as testing each person in turn would
 * ({@link OnBehalfOf#names}, {@link Person#isConfusableWith}): a skeleton in common is a lookup
 * instead of a test per person, and the character-at-a-time reading, the one test left per
 * person, reuses each person's readings and is ruled out cheaply for nearly everyone (see {@link
 * io.countersign.identity.internal.CharacterReadings}). Immutable; one built for a list of persons
 * can be kept for as long as the list is the same.
 */
public final class PersonIndex {
    private final List<Person> persons;
    private final Map<PersonId, List<Integer>> byId = new HashMap<>();
    private final Map<String, List<Integer>> bySkeleton = new HashMap<>();

    private PersonIndex(List<Person> persons) {
        this.persons = persons;
        for (int i = 0; i < persons.size(); i++) {
            Person person = persons.get(i);
            byId.computeIfAbsent(person.id(), key -> new ArrayList<>()).add(i);
            for (String skeleton : person.skeletons()) {
                bySkeleton.computeIfAbsent(skeleton, key -> new ArrayList<>()).add(i);
            }
        }
    }

    /** An index of {@code persons}, in their order; each person's readings are computed here unless it has them. */
    public static PersonIndex of(List<Person> persons) {
        return new PersonIndex(List.copyOf(requireNonNull(persons, "persons is null")));
    }

    /**
     * An index of {@code persons} that takes each person this one already holds from here, with
     * what its spellings read as, so only the persons that are new are read.
     */
    public PersonIndex reindex(List<Person> persons) {
        requireNonNull(persons, "persons is null");
        Map<Person, Person> known = new HashMap<>();
        this.persons.forEach(person -> known.putIfAbsent(person, person));
        return of(persons.stream()
                .map(person -> known.getOrDefault(person, person))
                .toList());
    }

    /** The persons indexed, in the order given. */
    public List<Person> persons() {
        return persons;
    }

    /** See {@link KnownHumans#resolve}. */
    public Optional<Person> resolve(String sent) {
        requireNonNull(sent, "sent is null");
        SentSpelling spelling = SentSpelling.of(sent);
        BitSet named = new BitSet(persons.size());
        markAll(spelling.skeletons(), bySkeleton, named);
        markTheRest(named, i -> spelling.readsAs(persons.get(i)));
        Set<PersonId> ids = new HashSet<>();
        named.stream().forEach(i -> ids.add(persons.get(i).id()));
        if (ids.size() != 1) {
            return Optional.empty();
        }
        return named.stream()
                .mapToObj(persons::get)
                .min(Comparator.comparing(Person::name).thenComparing(Person::email));
    }

    /** See {@link KnownHumans#confusableWith}: the persons in their order, each once. */
    public List<Person> confusableWith(Person candidate) {
        requireNonNull(candidate, "candidate is null");
        BitSet confusable = new BitSet(persons.size());
        markAll(Set.of(candidate.id()), byId, confusable);
        markAll(candidate.skeletons(), bySkeleton, confusable);
        markTheRest(confusable, i -> candidate.isConfusableWith(persons.get(i)));
        return confusable.stream().mapToObj(persons::get).distinct().toList();
    }

    private static <K> void markAll(Set<K> keys, Map<K, List<Integer>> index, BitSet marks) {
        for (K key : keys) {
            index.getOrDefault(key, List.of()).forEach(marks::set);
        }
    }

    /** Marks each person not marked yet that passes the test. */
    private void markTheRest(BitSet marks, IntPredicate test) {
        for (int i = marks.nextClearBit(0); i < persons.size(); i = marks.nextClearBit(i + 1)) {
            if (test.test(i)) {
                marks.set(i);
            }
        }
    }
}
