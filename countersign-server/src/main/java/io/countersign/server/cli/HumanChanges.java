package io.countersign.server.cli;

import io.countersign.identity.StoredCredential;
import io.countersign.server.identity.HumanAdmin;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code humans list|revoke|groups}: what an admin does to local humans after creating them. */
final class HumanChanges {
    private HumanChanges() {}

    @Command(name = "list", description = "List local humans: email, groups, roles, tokens (never their secrets).")
    static final class ListHumans implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Override
        public Integer call() {
            List<HumanAdmin.HumanView> humans = HumansCommand.withAdmin(data, HumanAdmin::list);
            if (humans.isEmpty()) {
                System.out.println("No humans.");
            }
            Instant now = Instant.now();
            for (HumanAdmin.HumanView human : humans) {
                System.out.println(human.name() + " <" + human.email() + ">  groups "
                        + human.groups().stream().sorted().toList()
                        + (human.roles().isEmpty()
                                ? ""
                                : "  roles " + human.roles().stream().sorted().toList())
                        + (human.activeAt(now) ? "" : "  INACTIVE"));
                for (StoredCredential token : human.tokens()) {
                    System.out.println("  token " + token.tokenId() + "  created " + token.createdAt()
                            + token.revokedAt().map(at -> "  REVOKED " + at).orElse("")
                            + token.expiresAt().map(at -> "  expires " + at).orElse("")
                            + "  last used "
                            + token.lastUsedAt().map(Instant::toString).orElse("never"));
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke every token of a local human; they can't sign in with them again.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", description = "the human's name")
        String name;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            int revoked = HumansCommand.withAdmin(data, admin -> admin.revoke(name, actor));
            System.out.println(
                    "Revoked " + revoked + (revoked == 1 ? " token" : " tokens") + " of human " + name + ".");
            return 0;
        }
    }

    @Command(name = "groups", description = "Replace a local human's groups (and roles); their token stays the same.")
    static final class Groups implements Callable<Integer> {
        @Parameters(index = "0", description = "the human's name")
        String name;

        @Option(names = "--group", description = "a group they belong to from now on (repeatable; none: no group)")
        List<String> groups = List.of();

        @Option(names = "--role", description = "admin or auditor (repeatable; none: no role)")
        List<String> roles = List.of();

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            HumanAdmin.HumanView changed = HumansCommand.withAdmin(
                    data,
                    admin -> admin.changeGroups(name, new LinkedHashSet<>(groups), new LinkedHashSet<>(roles), actor));
            System.out.println("Human " + changed.name() + " is now in "
                    + (changed.groups().isEmpty()
                            ? "no group"
                            : String.join(
                                    ", ", changed.groups().stream().sorted().toList()))
                    + (changed.roles().isEmpty()
                            ? ""
                            : ", role "
                                    + String.join(
                                            ", ",
                                            changed.roles().stream().sorted().toList()))
                    + ".");
            return 0;
        }
    }
}
