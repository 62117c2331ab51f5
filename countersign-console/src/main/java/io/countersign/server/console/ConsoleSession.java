package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.server.identity.Caller;
import java.time.Instant;

/** One signed-in browser: who, how (the caller as sign-in proved it), its CSRF token, and when it started. */
record ConsoleSession(String id, Caller caller, String csrfToken, Instant createdAt) {
    ConsoleSession {
        requireNonNull(id, "id is null");
        requireNonNull(caller, "caller is null");
        requireNonNull(csrfToken, "csrfToken is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    @Override
    public String toString() {
        return "ConsoleSession[" + caller.principal().auditName() + ", since " + createdAt + "]";
    }
}
