package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.CredentialStore;
import io.countersign.identity.Human;
import io.countersign.identity.Scopes;
import io.countersign.identity.Secret;
import io.countersign.identity.StoredCredential;
import io.countersign.workflow.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Managing local humans (the embedded setup without an identity provider), for the admin API and
 * the command line alike: create (a token shown once, with groups, roles and an optional expiry),
 * list, revoke, change groups. Every change is in the audit log under whoever made it.
 */
public final class HumanAdmin {
    private final CredentialStore credentials;
    private final Store store;
    private final ApiTokens tokens;
    private final Clock clock;

    public HumanAdmin(CredentialStore credentials, Store store, ApiTokens tokens, Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.store = requireNonNull(store, "store is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** One local human as an admin sees them: email, groups, roles, and their tokens (never the secrets). */
    public record HumanView(
            String name, String email, Set<String> groups, Set<String> roles, List<StoredCredential> tokens) {
        public HumanView {
            requireNonNull(name, "name is null");
            requireNonNull(email, "email is null");
            groups = Set.copyOf(requireNonNull(groups, "groups is null"));
            roles = Set.copyOf(requireNonNull(roles, "roles is null"));
            tokens = List.copyOf(requireNonNull(tokens, "tokens is null"));
        }

        /** Whether any token still works at {@code now}. */
        public boolean activeAt(Instant now) {
            return tokens.stream().anyMatch(token -> token.unusableAt(now).isEmpty());
        }
    }

    /**
     * A new local human (or a new token for one whose tokens are all revoked); returns the token,
     * to be shown once.
     *
     * @throws IllegalArgumentException for a bad name, email, group or role, a past expiry, or a name with a live token
     */
    public Secret create(
            String name, String email, Set<String> groups, Set<String> roles, Optional<Instant> expiresAt, String by) {
        AgentAdmin.requireValidName("human", name);
        if (email == null || !email.matches("[^@\\s]+@[^@\\s]+")) {
            throw new IllegalArgumentException("'" + email + "' is not an email address");
        }
        Set<String> stored = storedGroups(groups, roles);
        expiresAt.filter(at -> !at.isAfter(clock.instant())).ifPresent(at -> {
            throw new IllegalArgumentException("the token would expire at " + at + ", which is not in the future");
        });
        Secret token = tokens.issue(new Human(name, email, stored), expiresAt, Scopes.UNRESTRICTED);
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("human", name);
        data.put("email", email);
        describe(data, stored);
        expiresAt.ifPresent(at -> data.put("expiresAt", at.toString()));
        audit(AuditEventType.HUMAN_CREATED, by, data);
        return token;
    }

    /** Every local human who ever had a token, by name; the groups and email of their latest token. */
    public List<HumanView> list() {
        Map<String, List<StoredCredential>> byName = new LinkedHashMap<>();
        for (StoredCredential credential : credentials.list()) {
            if (credential.principal() instanceof Human human) {
                byName.computeIfAbsent(human.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(credential);
            }
        }
        List<HumanView> views = new ArrayList<>();
        for (List<StoredCredential> tokensOfOne : byName.values()) {
            StoredCredential current = tokensOfOne.stream()
                    .filter(token -> token.revokedAt().isEmpty())
                    .reduce((a, b) -> b)
                    .orElse(tokensOfOne.getLast());
            Human human = (Human) current.principal();
            views.add(new HumanView(
                    human.name(), human.email(), LocalRoles.plainGroups(human), LocalRoles.of(human), tokensOfOne));
        }
        return views;
    }

    public Optional<HumanView> find(String name) {
        return list().stream()
                .filter(view -> view.name().equalsIgnoreCase(name))
                .findFirst();
    }

    /** Revokes every live token of the human; returns how many (0 when none was live). */
    public int revoke(String name, String by) {
        HumanView human = require(name);
        int revoked = credentials.revokeHuman(human.name(), clock.instant());
        if (revoked > 0) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("human", human.name());
            data.put("tokens", revoked);
            audit(AuditEventType.HUMAN_REVOKED, by, data);
        }
        return revoked;
    }

    /**
     * Replaces the human's groups and roles on their live token; the token stays the same. Votes
     * already cast keep the groups they were cast with.
     *
     * @throws IllegalArgumentException for a bad group or role, or a human without a live token
     */
    public HumanView changeGroups(String name, Set<String> groups, Set<String> roles, String by) {
        HumanView human = require(name);
        Set<String> stored = storedGroups(groups, roles);
        if (credentials.changeHumanGroups(human.name(), stored) == 0) {
            throw new IllegalArgumentException("human '" + human.name() + "' has no live token; create them again");
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("human", human.name());
        ObjectNode before = data.putObject("before");
        describe(before, union(human.groups(), human.roles()));
        describe(data, stored);
        audit(AuditEventType.HUMAN_GROUPS_CHANGED, by, data);
        return require(name);
    }

    private static Set<String> union(Set<String> groups, Set<String> roles) {
        Set<String> all = new TreeSet<>(groups);
        roles.forEach(role -> all.add(LocalRoles.group(role)));
        return all;
    }

    private static Set<String> storedGroups(Set<String> groups, Set<String> roles) {
        groups.forEach(group -> AgentAdmin.requireValidName("group", group));
        return union(groups, roles);
    }

    private static void describe(ObjectNode data, Set<String> stored) {
        Human shape = new Human("-", "", stored);
        ArrayNode groupNode = data.putArray("groups");
        LocalRoles.plainGroups(shape).forEach(groupNode::add);
        ArrayNode roleNode = data.putArray("roles");
        LocalRoles.of(shape).forEach(roleNode::add);
    }

    private HumanView require(String name) {
        return find(name).orElseThrow(() -> new UnknownHuman(name));
    }

    private void audit(AuditEventType type, String by, ObjectNode data) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        store.transact(tx -> tx.append(new AuditEvent(type, now, by, Optional.empty(), data)));
    }

    /** No local human of that name. */
    public static final class UnknownHuman extends RuntimeException {
        public UnknownHuman(String name) {
            super("no human '" + name + "'", null, false, false);
        }
    }
}
