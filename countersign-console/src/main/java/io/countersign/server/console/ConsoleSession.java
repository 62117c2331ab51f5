package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.server.identity.Caller;
import java.time.Instant;
import java.util.Optional;

/**
 * One signed-in browser: who, how (the caller as sign-in proved it), its CSRF token, when it
 * started, and, for a sign-in at the identity provider, what the provider gave it.
 */
record ConsoleSession(
        String id, Caller caller, String csrfToken, Instant createdAt, Optional<ProviderSignIn> provider) {
    ConsoleSession {
        requireNonNull(id, "id is null");
        requireNonNull(caller, "caller is null");
        requireNonNull(csrfToken, "csrfToken is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(provider, "provider is null");
    }

    /** The same session after the provider confirmed it again, with what it answered. */
    ConsoleSession confirmed(Caller now, ProviderSignIn answer) {
        return new ConsoleSession(id, now, csrfToken, createdAt, Optional.of(answer));
    }

    @Override
    public String toString() {
        return "ConsoleSession[" + caller.principal().auditName() + ", since " + createdAt + "]";
    }
}
