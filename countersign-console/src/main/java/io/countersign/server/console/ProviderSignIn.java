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

    /**
     * Whether a back-channel logout for this subject and provider session ends this sign-in. A token that names the
     * subject ends every sign-in of theirs, whatever session it names: a provider may name a session this sign-in
     * never saw (Keycloak sends one token per session, with ids of its own), and ending too much is the safe side.
     * A token that names only a session ends that one.
     */
    boolean endedBy(Optional<String> loggedOutSubject, Optional<String> loggedOutSession) {
        if (loggedOutSubject.isPresent()) {
            return loggedOutSubject.get().equals(subject);
        }
        return loggedOutSession
                .filter(sid -> sessionId.filter(sid::equals).isPresent())
                .isPresent();
    }

    @Override
    public String toString() {
        return "ProviderSignIn[" + subject + ", tokens ***]";
    }
}
