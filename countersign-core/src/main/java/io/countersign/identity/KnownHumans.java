package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The persons the gateway knows, for resolving an {@code onBehalfOf} to one of them at
 * submission and for refusing a new human who looks like an existing one.
 */
@FunctionalInterface
public interface KnownHumans {
    /** Knows nobody: every onBehalfOf stays unresolved (the vote rule still compares spellings). */
    KnownHumans NONE = List::of;

    List<Person> persons();

    /**
     * The person {@code sent} names, by the same test as the vote rule; empty when it names nobody
     * known, or more than one person (the vote rule then refuses each of them).
     */
    default Optional<Person> resolve(String sent) {
        requireNonNull(sent, "sent is null");
        OnBehalfOf spelling = OnBehalfOf.unresolved(sent);
        Map<PersonId, List<Person>> named =
                persons().stream().filter(spelling::names).collect(Collectors.groupingBy(Person::id));
        if (named.size() != 1) {
            return Optional.empty();
        }
        return named.values().iterator().next().stream()
                .min(Comparator.comparing(Person::name).thenComparing(Person::email));
    }

    /** The known persons {@code candidate} could be taken for (the same person included). */
    default List<Person> confusableWith(Person candidate) {
        requireNonNull(candidate, "candidate is null");
        return persons().stream().filter(candidate::isConfusableWith).distinct().toList();
    }
}
