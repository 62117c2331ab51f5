package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Glob;
import java.util.List;
import java.util.Optional;

/**
 * Which actions an agent's credential may request at all, as action globs ({@code db.query},
 * {@code tickets.**}). Checked before the policy: an action outside the scopes is denied whatever
 * the policy says. {@link #UNRESTRICTED} leaves every action to the policy.
 */
public record Scopes(Optional<List<Glob>> actions) {
    public static final Scopes UNRESTRICTED = new Scopes(Optional.empty());

    public Scopes {
        requireNonNull(actions, "actions is null");
        actions = actions.map(List::copyOf);
        actions.ifPresent(globs -> globs.forEach(glob -> {
            if (glob.kind() != Glob.Kind.ACTION) {
                throw new IllegalArgumentException(
                        "scope '" + glob + "' is a " + glob.kind() + " glob, want an action glob");
            }
        }));
    }

    /**
     * Scopes from their text. An empty list is allowed and permits nothing.
     *
     * @throws IllegalArgumentException naming the glob that is malformed
     */
    public static Scopes of(List<String> globs) {
        requireNonNull(globs, "globs is null");
        return new Scopes(Optional.of(globs.stream()
                .map(text -> {
                    try {
                        return Glob.action(text);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("scope '" + text + "': " + e.getMessage(), e);
                    }
                })
                .toList()));
    }

    public boolean permits(String action) {
        return actions.map(globs -> globs.stream().anyMatch(glob -> glob.matches(action)))
                .orElse(true);
    }

    /** The globs as written, or empty when unrestricted. */
    public Optional<List<String>> texts() {
        return actions.map(globs -> globs.stream().map(Glob::text).toList());
    }

    @Override
    public String toString() {
        return texts().map(texts -> "[" + String.join(", ", texts) + "]").orElse("unrestricted");
    }
}
