package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.internal.Skeletons;

/**
 * Who a person is, however many identities (a local token, an OIDC sign-in) and spellings they
 * have: the confusable-proof form of their email, or of their name when they have none. This is
 * the one place a person's identity is computed; the vote rule, quorum counting, the inbox, every
 * channel and the evidence report compare these values, never names or emails as strings.
 * Obtain one from {@link Person#id()} or {@link Human#person()}.
 */
public final class PersonId {
    private final String value;

    private PersonId(String value) {
        this.value = value;
    }

    static PersonId of(String name, String email) {
        requireNonNull(name, "name is null");
        requireNonNull(email, "email is null");
        String byEmail = email.isBlank() ? "" : Skeletons.of(email);
        return new PersonId(byEmail.isEmpty() ? Skeletons.of(name) : byEmail);
    }

    /** The skeleton itself: for storing beside a request (to find a person's requests), not for display. */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PersonId id && id.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "PersonId[" + value + "]";
    }
}
