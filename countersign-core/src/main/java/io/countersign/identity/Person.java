package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.internal.CharacterReadings;
import io.countersign.identity.internal.Skeletons;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A person by the name and email an identity gives them, without groups: who voted, whom a
 * request acts for. Two persons are the same when their {@link #id()}s are equal; a name or an
 * email of one that looks like a name or an email of the other makes them confusable.
 *
 * <p>A value: equal when the name and the email are. It is not a record only so that it can keep
 * what its spellings read as, computed the first time a comparison needs it: that costs ICU calls
 * per character, and a person is compared with every spelling sent on behalf of someone.
 */
public final class Person {
    private final String name;
    private final String email;
    // Written at most once per thread that races to compute it, always to an equal immutable value, so
    // a reader sees either null (and computes it) or a fully built Readings.
    private volatile @Nullable Readings readings;

    /** @param email empty when the identity has none */
    public Person(String name, String email) {
        this.name = requireNonNull(name, "name is null");
        this.email = requireNonNull(email, "email is null");
    }

    public String name() {
        return name;
    }

    /** Empty when the identity has none. */
    public String email() {
        return email;
    }

    public PersonId id() {
        return readings().id;
    }

    /**
     * Whether one could be taken for the other: the same person, or a name or an email that
     * looks like the other's name or email, as a whole or a character at a time. Equal names with
     * different emails are confusable.
     */
    public boolean isConfusableWith(Person other) {
        requireNonNull(other, "other is null");
        Readings mine = readings();
        Readings theirs = other.readings();
        return mine.id.equals(theirs.id)
                || !Collections.disjoint(theirs.skeletons, mine.skeletons)
                || mine.spellings.stream().anyMatch(other::isReadableAs);
    }

    /** Whether some reading of {@code spelling}, a character at a time, is a reading of this person's name or email. */
    boolean isReadableAs(CharacterReadings spelling) {
        return readings().spellings.stream().anyMatch(spelling::isConfusableWith);
    }

    /** The skeletons of the name and of the email, without empty ones. */
    Set<String> skeletons() {
        return readings().skeletons;
    }

    private Readings readings() {
        Readings known = readings;
        if (known == null) {
            known = new Readings(name, email);
            readings = known;
        }
        return known;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Person person && person.name.equals(name) && person.email.equals(email);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + email.hashCode();
    }

    @Override
    public String toString() {
        return email.isBlank() ? name : name + " <" + email + ">";
    }

    /** What a person's name and email read as: computed once, then only compared. */
    private static final class Readings {
        final PersonId id;
        final Set<String> skeletons;
        final List<CharacterReadings> spellings;

        Readings(String name, String email) {
            this.id = PersonId.of(name, email);
            this.skeletons = Stream.of(name, email)
                    .flatMap(spelling -> Skeletons.all(spelling).stream())
                    .collect(Collectors.toUnmodifiableSet());
            this.spellings = Stream.of(name, email)
                    .filter(spelling -> !spelling.isBlank())
                    .map(CharacterReadings::of)
                    .toList();
        }
    }
}
