package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** A person, with the groups their identity provider (or the local setup) says they belong to. */
public record Human(String name, String email, Set<String> groups) implements Principal {
    public Human {
        requireNonNull(name, "name is null");
        requireNonNull(email, "email is null");
        groups = Set.copyOf(requireNonNull(groups, "groups is null"));
    }

    public boolean isMemberOfAny(Set<String> required) {
        return required.stream().anyMatch(groups::contains);
    }

    /** This human as a person: what votes, quorum and separation of duties compare. */
    public Person person() {
        return new Person(name, email);
    }

    /**
     * Whether this person is the human named in an action's onBehalfOf, which may give their
     * name or their email under any spelling that looks the same ({@link OnBehalfOf#names}).
     */
    public boolean isNamedBy(String onBehalfOf) {
        return OnBehalfOf.unresolved(onBehalfOf).names(person());
    }

    @Override
    public String auditName() {
        return "human:" + name;
    }
}
