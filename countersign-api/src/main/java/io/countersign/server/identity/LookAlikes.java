package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.identity.KnownHumans;
import io.countersign.identity.Person;
import io.countersign.workflow.Notifier;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Refuses a person from the identity provider who looks like a local human without being them:
 * {@code аlice@example.com} (Cyrillic а) beside the local {@code alice@example.com}, or a provider
 * user named {@code alice} with another email. Approvers and the audit log would read one for
 * the other. The same person (the same email, ignoring case; or the same name where neither has an
 * email) passes. The admins are told once per person, with both identities; the person is told
 * only that an admin must look, since the local human's details are not theirs to read.
 */
public final class LookAlikes {
    private final KnownHumans locals;
    private final Notifier admins;
    private final Set<Person> told = ConcurrentHashMap.newKeySet();

    public LookAlikes(KnownHumans locals, Notifier admins) {
        this.locals = requireNonNull(locals, "locals is null");
        this.admins = requireNonNull(admins, "admins is null");
    }

    /** @throws TokenRejected when {@code human} could be taken for a local human who is someone else */
    public void check(Human human) throws TokenRejected {
        Person person = human.person();
        List<Person> lookAlikes = locals.confusableWith(person).stream()
                .filter(local -> !isSameIdentity(local, person))
                .toList();
        if (lookAlikes.isEmpty()) {
            return;
        }
        if (told.add(person)) {
            admins.notifyGroup(new Notifier.Notice(
                    "admins",
                    "A person from the identity provider looks like a local human",
                    person + " signed in through the identity provider, and their name or email looks like that of "
                            + lookAlikes.stream().map(Person::toString).collect(Collectors.joining(", "))
                            + " (Unicode confusables, case and width ignored) without being the same identity. They"
                            + " are refused until one of them is renamed or removed (countersign humans revoke).",
                    Optional.empty()));
        }
        throw new TokenRejected("the identity provider's " + human.name()
                + " looks like another person this gateway knows (Unicode confusables, case and width ignored),"
                + " so approvers could take one for the other; the admins were told, and one of the two must be"
                + " renamed or removed before this identity is accepted");
    }

    private static boolean isSameIdentity(Person local, Person provider) {
        if (local.email().isBlank() && provider.email().isBlank()) {
            return local.name().equalsIgnoreCase(provider.name());
        }
        return local.email().equalsIgnoreCase(provider.email());
    }
}
