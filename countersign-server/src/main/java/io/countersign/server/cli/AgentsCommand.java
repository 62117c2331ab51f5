package io.countersign.server.cli;

import io.countersign.identity.ApiTokens;
import io.countersign.identity.Scopes;
import io.countersign.identity.Secret;
import io.countersign.identity.StoredCredential;
import io.countersign.server.identity.AgentAdmin;
import io.countersign.server.identity.AgentSshKeys;
import io.countersign.store.GatewayStore;
import io.countersign.workflow.KillSwitch;
import io.countersign.workflow.RequestListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "agents",
        description = "Manage agents: create, list, revoke, suspend (kill switch), resume.",
        subcommands = {
            AgentsCommand.Create.class,
            AgentsCommand.ListAgents.class,
            AgentsCommand.Revoke.class,
            AgentsCommand.Suspend.class,
            AgentsCommand.Resume.class
        })
public final class AgentsCommand {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smhd])");

    static <T> T withAdmin(DataOption data, Function<AgentAdmin, T> work) {
        try (GatewayStore store = data.openStore()) {
            Clock clock = Clock.systemUTC();
            AgentAdmin admin = new AgentAdmin(
                    store,
                    store,
                    store,
                    new ApiTokens(store, clock),
                    new KillSwitch(store, store, clock, RequestListener.NONE),
                    List.of(),
                    clock);
            return work.apply(admin);
        }
    }

    @Command(
            name = "create",
            description = "Create an agent and print its API key (shown once) alone on the last line.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", description = "the agent's name")
        String name;

        @Option(names = "--label", description = "a label visible to policies, KEY=VALUE (repeatable)")
        Map<String, String> labels = new LinkedHashMap<>();

        @Option(
                names = "--scope",
                description =
                        "an action glob the key may request, e.g. db.query or tickets.** (repeatable; default: any action, the policy decides)")
        List<String> scopes;

        @Option(
                names = "--expires-in",
                description = "how long the key lives: 90s, 30m, 12h, 30d (default: until revoked)")
        String expiresIn;

        @Option(
                names = "--ssh-key",
                paramLabel = "FILE",
                description = "an OpenSSH public key file (.pub) the agent may log in to the SSH gateways with")
        java.nio.file.Path sshKey;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() throws java.io.IOException {
            String actor = operator.actor(data, "admin");
            Names.requireValid("agent", name);
            if (labels.containsKey(AgentSshKeys.LABEL)) {
                throw new IllegalArgumentException(
                        "--label " + AgentSshKeys.LABEL + " is reserved; use --ssh-key FILE");
            }
            String sshKeyType = "";
            if (sshKey != null) {
                AgentSshKeys.addTo(labels, java.nio.file.Files.readString(sshKey));
                sshKeyType = String.valueOf(labels.get(AgentSshKeys.LABEL)).split(" ")[0];
            }
            Scopes keyScopes = scopes == null ? Scopes.UNRESTRICTED : Scopes.of(scopes);
            Optional<Instant> expiresAt =
                    Optional.ofNullable(expiresIn).map(text -> Instant.now().plus(duration(text)));
            Secret key = withAdmin(data, admin -> admin.create(name, labels, keyScopes, expiresAt, actor));
            System.out.println("Created agent " + name + (scopes == null ? "" : " limited to " + keyScopes)
                    + (sshKey == null ? "" : ", SSH key " + sshKeyType)
                    + expiresAt.map(at -> ", key expires " + at).orElse("") + ". Its API key, shown this once:");
            System.out.println(key.reveal());
            return 0;
        }
    }

    @Command(name = "list", description = "List agents: keys (never their secrets), last use, scopes, suspension.")
    static final class ListAgents implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Override
        public Integer call() {
            List<AgentAdmin.AgentView> agents = withAdmin(data, AgentAdmin::list);
            if (agents.isEmpty()) {
                System.out.println("No agents.");
            }
            for (AgentAdmin.AgentView agent : agents) {
                System.out.println(agent.name()
                        + (agent.labels().isEmpty() ? "" : " " + new java.util.TreeMap<>(agent.labels()))
                        + agent.suspension()
                                .map(s -> "  SUSPENDED since " + s.at() + " by " + s.by() + ": " + s.reason())
                                .orElse(""));
                for (StoredCredential key : agent.keys()) {
                    System.out.println("  key " + key.tokenId() + "  created " + key.createdAt()
                            + key.revokedAt().map(at -> "  REVOKED " + at).orElse("")
                            + key.expiresAt().map(at -> "  expires " + at).orElse("")
                            + "  last used "
                            + key.lastUsedAt().map(Instant::toString).orElse("never")
                            + "  scopes " + key.scopes());
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke every key of an agent; it can't authenticate with them again.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", description = "the agent's name")
        String name;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            int revoked = withAdmin(data, admin -> admin.revoke(name, actor));
            System.out.println("Revoked " + revoked + (revoked == 1 ? " key" : " keys") + " of agent " + name + ".");
            return 0;
        }
    }

    @Command(
            name = "suspend",
            description = "Kill switch: deny every action of the agent from now on, and its pending requests.")
    static final class Suspend implements Callable<Integer> {
        @Parameters(index = "0", description = "the agent's name")
        String name;

        @Option(names = "--reason", description = "why (in the audit log)")
        String reason = KillSwitch.REASON;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            KillSwitch.Suspended suspended = withAdmin(data, admin -> admin.suspend(name, actor, reason));
            System.out.println((suspended.newly() ? "Suspended" : "Already suspended:") + " agent " + name + "; denied "
                    + suspended.denied().size() + " pending request(s).");
            return 0;
        }
    }

    @Command(name = "resume", description = "Lift an agent's suspension.")
    static final class Resume implements Callable<Integer> {
        @Parameters(index = "0", description = "the agent's name")
        String name;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            boolean resumed = withAdmin(data, admin -> admin.resume(name, actor));
            System.out.println(resumed ? "Resumed agent " + name + "." : "Agent " + name + " was not suspended.");
            return 0;
        }
    }

    static Duration duration(String text) {
        Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--expires-in must look like 90s, 30m, 12h or 30d, got '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
