package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.internal.CharacterReadings;
import io.countersign.identity.internal.Skeletons;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A person by the name and email an identity gives them, without groups: who voted, whom a
 * request acts for. Two persons are the same when their {@link #id()}s are equal; a name or an
 * email of one that looks like a name or an email of the other makes them confusable.
 *
 * @param email empty when the identity has none
 */
public record Person(String name, String email) {
    public Person {
        requireNonNull(name, "name is null");
        requireNonNull(email, "email is null");
    }

    public PersonId id() {
        return PersonId.of(name, email);
    }

    /**
     * Whether one could be taken for the other: the same person, or a name or an email that
     * looks like the other's name or email, as a whole or a character at a time. Equal names with
     * different emails are confusable.
     */
    public boolean isConfusableWith(Person other) {
        requireNonNull(other, "other is null");
        Set<String> mine = skeletons();
        return id().equals(other.id())
                || other.skeletons().stream().anyMatch(mine::contains)
                || spellings().anyMatch(other::isReadableAs);
    }

    /** Whether some reading of {@code spelling}, a character at a time, is a reading of this person's name or email. */
    boolean isReadableAs(String spelling) {
        return spellings().anyMatch(mine -> CharacterReadings.confusable(spelling, mine));
    }

    private Stream<String> spellings() {
        return Stream.of(name, email).filter(spelling -> !spelling.isBlank());
    }

    /** The skeletons of the name and of the email, without empty ones. */
    Set<String> skeletons() {
        return Stream.of(name, email)
                .flatMap(spelling -> Skeletons.all(spelling).stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public String toString() {
        return email.isBlank() ? name : name + " <" + email + ">";
    }
}
