package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.CredentialStore;
import io.countersign.identity.Human;
import io.countersign.identity.StoredCredential;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who a person is, found by a verified email: for channels (Slack, Teams) that know a user's email
 * but not their groups. The humans are those with a live credential in the gateway (created with
 * {@code countersign humans create}); an email that names two of them with different groups is
 * ambiguous and finds no one, since a vote must not borrow groups it can't be sure of.
 */
public final class HumanDirectory {
    private final CredentialStore credentials;
    private final Clock clock;

    public HumanDirectory(CredentialStore credentials, Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The human with this email; the caller must know the email is verified by whoever told it. */
    public Optional<Human> byVerifiedEmail(String email) {
        requireNonNull(email, "email is null");
        if (email.isBlank()) {
            return Optional.empty();
        }
        String wanted = email.toLowerCase(Locale.ROOT);
        List<Human> matches = credentials.list().stream()
                .filter(credential -> credential.unusableAt(clock.instant()).isEmpty())
                .map(StoredCredential::principal)
                .filter(Human.class::isInstance)
                .map(Human.class::cast)
                .filter(human -> human.email().toLowerCase(Locale.ROOT).equals(wanted))
                .distinct()
                .toList();
        return matches.size() == 1 ? Optional.of(matches.getFirst()) : Optional.empty();
    }
}
