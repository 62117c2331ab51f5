package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the identity provider gave a console sign-in: the ID token (the hint for RP-initiated
 * logout), the refresh token (to ask the provider again before a vote), and the subject and
 * provider session it names (what a back-channel logout token points at). The tokens are
 * credentials: never printed, never sent to the browser.
 */
record ProviderSignIn(String idToken, Optional<String> refreshToken, String subject, Optional<String> sessionId) {
    ProviderSignIn {
        requireNonNull(idToken, "idToken is null");
        requireNonNull(refreshToken, "refreshToken is null");
        requireNonNull(subject, "subject is null");
        requireNonNull(sessionId, "sessionId is null");
    }

    /** Whether a back-channel logout for this subject and provider session ends this sign-in. */
    boolean endedBy(Optional<String> loggedOutSubject, Optional<String> loggedOutSession) {
        boolean subjectMatches = loggedOutSubject.map(subject::equals).orElse(true);
        boolean sessionMatches = loggedOutSession
                .map(sid -> sessionId.filter(sid::equals).isPresent())
                .orElse(true);
        // The logout token names a subject, a session, or both (never neither; the validator checks).
        return subjectMatches && sessionMatches && (loggedOutSubject.isPresent() || loggedOutSession.isPresent());
    }

    @Override
    public String toString() {
        return "ProviderSignIn[" + subject + ", tokens ***]";
    }
}
