package io.countersign.identity;

import static java.util.Objects.requireNonNull;

/** What presenting an API key or local token gave: the credential, or why it was refused. */
public sealed interface KeyCheck {

    record Valid(StoredCredential credential) implements KeyCheck {
        public Valid {
            requireNonNull(credential, "credential is null");
        }
    }

    /** Unknown, malformed, revoked or expired; {@code reason} is safe to show to the caller. */
    record Refused(String reason) implements KeyCheck {
        public Refused {
            requireNonNull(reason, "reason is null");
        }
    }
}
