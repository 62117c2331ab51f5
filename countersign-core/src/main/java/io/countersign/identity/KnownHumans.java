package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

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
     * The persons, indexed for {@link #resolve} and {@link #confusableWith}. An index of {@link
     * #persons()} as they are now; one that keeps its persons across calls may return the index it
     * built before, for as long as the persons are the same.
     */
    default PersonIndex index() {
        return PersonIndex.of(persons());
    }

    /**
     * The person {@code sent} names, by the same test as the vote rule; empty when it names nobody
     * known, or more than one person (the vote rule then refuses each of them).
     */
    default Optional<Person> resolve(String sent) {
        requireNonNull(sent, "sent is null");
        return index().resolve(sent);
    }

    /** The known persons {@code candidate} could be taken for (the same person included). */
    default List<Person> confusableWith(Person candidate) {
        requireNonNull(candidate, "candidate is null");
        return index().confusableWith(candidate);
    }
}
