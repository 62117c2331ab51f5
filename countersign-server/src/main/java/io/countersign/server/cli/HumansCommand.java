package io.countersign.server.cli;

import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Person;
import io.countersign.server.identity.HumanDirectory;
import io.countersign.identity.Secret;
import io.countersign.store.sqlite.SqliteStore;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "humans", description = "Manage local humans (the embedded setup without an identity provider).",
        subcommands = HumansCommand.Create.class)
public final class HumansCommand {

    @Command(name = "create", description = "Create a human and print their token (shown once) alone on the last line.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", description = "the human's name")
        String name;

        @Option(names = "--email", required = true, description = "their email")
        String email;

        @Option(names = "--group", description = "a group they belong to (repeatable)")
        List<String> groups = List.of();

        @Mixin
        DataOption data;

        @Override
        public Integer call() {
            Names.requireValid("human", name);
            if (!email.matches("[^@\\s]+@[^@\\s]+")) {
                throw new IllegalArgumentException("'" + email + "' is not an email address");
            }
            groups.forEach(group -> Names.requireValid("group", group));
            try (SqliteStore store = data.openStore()) {
                requireNotConfusable(new HumanDirectory(store, Clock.systemUTC()), new Person(name, email));
                Secret token = new ApiTokens(store, Clock.systemUTC()).issue(new Human(name, email, new LinkedHashSet<>(groups)));
                System.out.println("Created human " + name + " <" + email + "> in " + (groups.isEmpty() ? "no group" : String.join(", ", groups))
                        + ". Their token, shown this once:");
                System.out.println(token.reveal());
            }
            return 0;
        }

        /** A second identity that looks like an existing one would let its holder pass for them, or vote twice as one person. */
        private static void requireNotConfusable(HumanDirectory humans, Person candidate) {
            List<Person> lookAlikes = humans.confusableWith(candidate);
            if (!lookAlikes.isEmpty()) {
                throw new IllegalArgumentException("human " + candidate + " could be taken for the existing human "
                        + String.join(", ", lookAlikes.stream().map(Person::toString).toList())
                        + ": their name or email looks the same (Unicode confusables, case and width ignored); choose a name and email that can't be mistaken for theirs");
            }
        }
    }
}
