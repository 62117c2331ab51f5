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

    /**
     * Whether this person is the human named in an action's onBehalfOf, which may give their
     * name or their email.
     */
    public boolean isNamedBy(String onBehalfOf) {
        return name.equalsIgnoreCase(onBehalfOf) || (!email.isEmpty() && email.equalsIgnoreCase(onBehalfOf));
    }

    @Override
    public String auditName() {
        return "human:" + name;
    }
}
