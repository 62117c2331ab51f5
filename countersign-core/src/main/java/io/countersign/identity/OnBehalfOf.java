package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Whom a request acts for: the spelling the agent sent, and the known person it resolved to at
 * submission, when one matched (by a verified delegation's token, or by the humans the gateway
 * knows). {@link #names(Person)} is the separation-of-duties test that the vote rule and the
 * evidence report share.
 *
 * @param sent exactly what the agent sent
 * @param resolvedTo the known person it resolved to; empty when it matched nobody the gateway knows
 */
public record OnBehalfOf(String sent, Optional<Person> resolvedTo) {
    public OnBehalfOf {
        requireNonNull(sent, "sent is null");
        requireNonNull(resolvedTo, "resolvedTo is null");
    }

    public static OnBehalfOf unresolved(String sent) {
        return new OnBehalfOf(sent, Optional.empty());
    }

    /** For people to read: what was sent, and whom it resolved to when that says more ({@code bob (resolved to bob <bob@example.com>)}). */
    public String display() {
        return resolvedTo
                .filter(person -> !person.toString().equals(sent))
                .map(person -> sent + " (resolved to " + person + ")")
                .orElse(sent);
    }

    /**
     * Whether this is the person the request acts for: the person it resolved to, or anyone whose
     * name or email is confusable with what was sent or with whom it resolved to.
     */
    public boolean names(Person person) {
        requireNonNull(person, "person is null");
        return SentSpelling.of(sent).names(person)
                || resolvedTo
                        .filter(resolved -> resolved.isConfusableWith(person))
                        .isPresent();
    }
}
