package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import java.time.Instant;
import java.util.Optional;

/**
 * A human about to vote, with what the channel knows of them: when they last signed in (the OIDC
 * {@code auth_time}, for step-up rules; empty for local tokens) and, for an emergency, the
 * reason they give for breaking the glass.
 */
public record Voter(Human human, Optional<Instant> signedInAt, Optional<String> breakGlassReason) {
    public Voter {
        requireNonNull(human, "human is null");
        requireNonNull(signedInAt, "signedInAt is null");
        requireNonNull(breakGlassReason, "breakGlassReason is null");
    }

    /** An ordinary vote, with no known sign-in time. */
    public static Voter of(Human human) {
        return new Voter(human, Optional.empty(), Optional.empty());
    }

    public boolean breaksGlass() {
        return breakGlassReason.isPresent();
    }
}
