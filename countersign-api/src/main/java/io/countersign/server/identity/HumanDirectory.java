package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.CredentialStore;
import io.countersign.identity.Human;
import io.countersign.identity.KnownHumans;
import io.countersign.identity.Person;
import io.countersign.identity.PersonId;
import io.countersign.identity.PersonIndex;
import io.countersign.identity.StoredCredential;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Who a person is, found by a verified email: for channels (Slack, Teams) that know a user's email
 * but not their groups. The humans are those with a live credential in the gateway (created with
 * {@code countersign humans create}); an email that names two of them with different groups is
 * ambiguous and finds no one, since a vote must not borrow groups it can't be sure of.
 *
 * <p>Finding someone to act as is exact (an email, ignoring case); finding whom a request acts
 * for ({@link KnownHumans#resolve}) and whom a new human could be taken for is by confusable
 * skeleton. The broad match only ever refuses: a Slack user whose email merely looks like bob's
 * must not get bob's groups.
 *
 * <p>Reading what a name or an email looks like costs ICU calls per character, so the directory
 * keeps the {@link PersonIndex} it built last, with the persons in it, and reuses it while the live
 * humans are exactly the same (name, email) pairs in the same order. It keeps the humans' credentials
 * it listed last too, and lists them again only when the store's {@link
 * CredentialStore#credentialChanges() change counter} has moved: a human added, renamed, regrouped
 * or revoked by another node or the command line moves it in the same transaction, so the next
 * call sees the change; expiry is checked against the clock on every call. Never a stale answer.
 * A rebuild reuses the persons that stayed, so only a new spelling is read.
 */
public final class HumanDirectory implements KnownHumans {
    private final CredentialStore credentials;
    private final Clock clock;
    // Immutable once built, so volatile is enough; two calls that race to rebuild it only do the work twice.
    private volatile PersonIndex index = PersonIndex.of(List.of());
    private volatile @Nullable Listed listed;

    /** The humans' credentials as listed while the store's change counter stood at {@code changes}. */
    private record Listed(long changes, List<StoredCredential> humans) {}

    public HumanDirectory(CredentialStore credentials, Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Every human with a live credential, as a person. */
    @Override
    public List<Person> persons() {
        return liveHumans().map(Human::person).distinct().toList();
    }

    /** The index of the live humans as they are now: the last one built, when they have not changed. */
    @Override
    public PersonIndex index() {
        List<Person> now = persons();
        PersonIndex last = index;
        if (last.persons().equals(now)) {
            return last;
        }
        PersonIndex rebuilt = last.reindex(now);
        index = rebuilt;
        return rebuilt;
    }

    /** The human with this email; the caller must know the email is verified by whoever told it. */
    public Optional<Human> byVerifiedEmail(String email) {
        requireNonNull(email, "email is null");
        if (email.isBlank()) {
            return Optional.empty();
        }
        String wanted = email.toLowerCase(Locale.ROOT);
        List<Human> matches = liveHumans()
                .filter(human -> human.email().toLowerCase(Locale.ROOT).equals(wanted))
                .distinct()
                .toList();
        return matches.size() == 1 ? Optional.of(matches.getFirst()) : Optional.empty();
    }

    /**
     * Every human with a live credential in any of {@code groups}, one per person (the first credential
     * found): for channels that message the people who may decide a request.
     */
    public List<Human> membersOfAny(Set<String> groups) {
        requireNonNull(groups, "groups is null");
        Map<PersonId, Human> byPerson = new LinkedHashMap<>();
        liveHumans()
                .filter(human -> human.isMemberOfAny(groups))
                .forEach(human -> byPerson.putIfAbsent(human.person().id(), human));
        return List.copyOf(byPerson.values());
    }

    private Stream<Human> liveHumans() {
        Instant now = clock.instant();
        return humansListed().stream()
                .filter(credential -> credential.unusableAt(now).isEmpty())
                .map(credential -> (Human) credential.principal());
    }

    /** Every human's credential, listed again only when the change counter has moved since the last listing. */
    private List<StoredCredential> humansListed() {
        long changes = credentials.credentialChanges(); // before the list, so the list is never older
        Listed last = listed;
        if (last != null && last.changes() == changes) {
            return last.humans();
        }
        List<StoredCredential> humans = credentials.list().stream()
                .filter(credential -> credential.principal() instanceof Human)
                .toList();
        listed = new Listed(changes, humans);
        return humans;
    }
}
