package io.countersign.server.cli;

import io.countersign.identity.ApiTokens;
import io.countersign.identity.Person;
import io.countersign.identity.Secret;
import io.countersign.server.identity.HumanAdmin;
import io.countersign.server.identity.HumanDirectory;
import io.countersign.store.GatewayStore;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "humans",
        description =
                "Manage local humans (the embedded setup without an identity provider): create, list, revoke, groups.",
        subcommands = {
            HumansCommand.Create.class,
            HumanChanges.ListHumans.class,
            HumanChanges.Revoke.class,
            HumanChanges.Groups.class
        })
public final class HumansCommand {

    static <T> T withAdmin(DataOption data, Function<HumanAdmin, T> work) {
        try (GatewayStore store = data.openStore()) {
            Clock clock = Clock.systemUTC();
            return work.apply(new HumanAdmin(store, store, new ApiTokens(store, clock), clock));
        }
    }

    @Command(name = "create", description = "Create a human and print their token (shown once) alone on the last line.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", description = "the human's name")
        String name;

        @Option(names = "--email", required = true, description = "their email")
        String email;

        @Option(names = "--group", description = "a group they belong to (repeatable)")
        List<String> groups = List.of();

        @Option(
                names = "--role",
                description =
                        "admin or auditor: the admin API and console pages, or the evidence and audit reads (repeatable)")
        List<String> roles = List.of();

        @Option(
                names = "--expires-in",
                description = "how long the token lives: 90s, 30m, 12h, 30d (default: until revoked)")
        String expiresIn;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            Optional<Instant> expiresAt =
                    Optional.ofNullable(expiresIn).map(text -> Instant.now().plus(AgentsCommand.duration(text)));
            try (GatewayStore store = data.openStore()) {
                requireNotConfusable(new HumanDirectory(store, Clock.systemUTC()), new Person(name, email));
            }
            Secret token = withAdmin(
                    data,
                    admin -> admin.create(
                            name, email, new LinkedHashSet<>(groups), new LinkedHashSet<>(roles), expiresAt, actor));
            System.out.println("Created human " + name + " <" + email + "> in "
                    + (groups.isEmpty() ? "no group" : String.join(", ", groups))
                    + (roles.isEmpty() ? "" : ", role " + String.join(", ", roles))
                    + expiresAt.map(at -> ", token expires " + at).orElse("") + ". Their token, shown this once:");
            System.out.println(token.reveal());
            return 0;
        }

        /** A second identity that looks like an existing one would let its holder pass for them, or vote twice as one person. */
        private static void requireNotConfusable(HumanDirectory humans, Person candidate) {
            List<Person> lookAlikes = humans.confusableWith(candidate);
            if (!lookAlikes.isEmpty()) {
                throw new IllegalArgumentException(
                        "human " + candidate + " could be taken for the existing human "
                                + String.join(
                                        ", ",
                                        lookAlikes.stream()
                                                .map(Person::toString)
                                                .toList())
                                + ": their name or email looks the same (Unicode confusables, case and width ignored); choose a name and email that can't be mistaken for theirs");
            }
        }
    }
}
