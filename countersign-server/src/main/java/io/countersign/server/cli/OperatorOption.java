package io.countersign.server.cli;

import io.countersign.server.identity.HumanAdmin;
import io.countersign.server.identity.IdentityConfig;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/**
 * {@code --as NAME}: the local human a command-line change or export is recorded for, so the
 * audit log (and the evidence package's inventories) name the admin who made it rather than the
 * operating-system account that ran the command. Without it the actor is {@code cli:<OS user>},
 * as before; with it, NAME must be an active local human holding one of the command's roles, or
 * the command refuses before it changes anything. Roles are the gateway's: a local human's own,
 * and, with {@code --config}, those its {@code identity.roles} give the human's groups.
 */
final class OperatorOption {
    @Option(
            names = "--as",
            paramLabel = "NAME",
            description =
                    "the local human (an admin; for evidence export, an auditor too) it is recorded for; default: cli:<OS user>")
    String name;

    /** The actor's audit name for a change that needs {@code roles} (any one of them). */
    String actor(DataOption data, String... roles) {
        if (name == null) {
            return "cli:" + System.getProperty("user.name", "unknown");
        }
        IdentityConfig identity = data.identity();
        Optional<String> refused = HumansCommand.withAdmin(data, admin -> whyNot(admin, identity, List.of(roles)));
        if (refused.isPresent()) {
            throw new IllegalArgumentException("--as " + name + ": " + refused.get());
        }
        return "human:" + name;
    }

    private Optional<String> whyNot(HumanAdmin admin, IdentityConfig identity, List<String> roles) {
        Optional<HumanAdmin.HumanView> human = admin.find(name);
        if (human.isEmpty()) {
            return Optional.of("no local human of that name (countersign humans list shows them)");
        }
        if (!human.get().activeAt(Instant.now())) {
            return Optional.of("their tokens are revoked or expired");
        }
        Set<String> held = rolesOf(human.get(), identity);
        if (roles.stream().noneMatch(held::contains)) {
            return Optional.of("needs the role " + String.join(" or ", roles) + "; they have "
                    + (held.isEmpty() ? "none" : String.join(", ", held)));
        }
        return Optional.empty();
    }

    /** As the gateway grants them: the local roles, and those the config's identity.roles give their groups. */
    private static Set<String> rolesOf(HumanAdmin.HumanView human, IdentityConfig identity) {
        Set<String> roles = new TreeSet<>(human.roles());
        if (human.groups().stream().anyMatch(identity.adminGroups()::contains)) {
            roles.add("admin");
        }
        if (human.groups().stream().anyMatch(identity.auditorGroups()::contains)) {
            roles.add("auditor");
        }
        return roles;
    }
}
