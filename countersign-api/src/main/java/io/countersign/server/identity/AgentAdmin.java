package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.CredentialStore;
import io.countersign.identity.Scopes;
import io.countersign.identity.Secret;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.workflow.KillSwitch;
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
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Managing agents, for the admin API and the command line alike: create (a key shown once), list,
 * revoke every key, suspend (the kill switch) and resume. Every change is in the audit log, under
 * the audit name of whoever made it.
 */
public final class AgentAdmin {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private final CredentialStore credentials;
    private final AgentSuspensions suspensions;
    private final Store store;
    private final ApiTokens tokens;
    private final KillSwitch killSwitch;
    private final List<ClientAgent> clientAgents;
    private final Clock clock;

    public AgentAdmin(
            CredentialStore credentials,
            AgentSuspensions suspensions,
            Store store,
            ApiTokens tokens,
            KillSwitch killSwitch,
            List<ClientAgent> clientAgents,
            Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.suspensions = requireNonNull(suspensions, "suspensions is null");
        this.store = requireNonNull(store, "store is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.killSwitch = requireNonNull(killSwitch, "killSwitch is null");
        this.clientAgents = List.copyOf(requireNonNull(clientAgents, "clientAgents is null"));
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** One agent as an admin sees it: where it comes from, its keys (never their secrets), whether it is suspended. */
    public record AgentView(
            String name,
            Map<String, String> labels,
            String source,
            List<StoredCredential> keys,
            Optional<String> clientId,
            Scopes clientScopes,
            Optional<Suspension> suspension) {
        public AgentView {
            requireNonNull(name, "name is null");
            labels = Map.copyOf(requireNonNull(labels, "labels is null"));
            requireNonNull(source, "source is null");
            keys = List.copyOf(requireNonNull(keys, "keys is null"));
            requireNonNull(clientId, "clientId is null");
            requireNonNull(clientScopes, "clientScopes is null");
            requireNonNull(suspension, "suspension is null");
        }
    }

    public static void requireValidName(String kind, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name '" + name
                    + "' must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
    }

    /**
     * A new agent (or a new key for an agent whose keys are all revoked). Returns the key, to be
     * shown once.
     *
     * @throws IllegalArgumentException for a bad name, or one that has a live key or is an OIDC client agent
     */
    public Secret create(
            String name, Map<String, String> labels, Scopes scopes, Optional<Instant> expiresAt, String by) {
        requireValidName("agent", name);
        labels.keySet().forEach(key -> requireValidName("label", key));
        if (clientAgent(name).isPresent()) {
            throw new IllegalArgumentException("agent '" + name
                    + "' is an OIDC client in the config; it authenticates with client credentials, not a key");
        }
        expiresAt.filter(at -> !at.isAfter(clock.instant())).ifPresent(at -> {
            throw new IllegalArgumentException("the key would expire at " + at + ", which is not in the future");
        });
        ApiTokens.Minted key = tokens.mint(new Agent(name, labels), expiresAt, scopes);
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("agent", name);
        ObjectNode labelNode = data.putObject("labels");
        labels.forEach(labelNode::put);
        scopes.texts().ifPresent(texts -> {
            ArrayNode scopeNode = data.putArray("scopes");
            texts.forEach(scopeNode::add);
        });
        expiresAt.ifPresent(at -> data.put("expiresAt", at.toString()));
        AuditEvent created = event(AuditEventType.AGENT_CREATED, by, data);
        // The key and its audit entry are one write: a label no entry can hold leaves no key behind.
        store.transact(tx -> {
            tx.createCredential(key.credential());
            return tx.append(created);
        });
        return key.secret();
    }

    /** Every agent with a key, and every OIDC client agent, by name. */
    public List<AgentView> list() {
        Map<String, KeysOfAgent> keysByName = new LinkedHashMap<>();
        for (StoredCredential credential : credentials.list()) {
            if (credential.principal() instanceof Agent agent) {
                keysByName
                        .computeIfAbsent(agent.name().toLowerCase(Locale.ROOT), k -> new KeysOfAgent(agent.labels()))
                        .add(credential, agent);
            }
        }
        List<AgentView> views = new ArrayList<>();
        for (KeysOfAgent agent : keysByName.values()) {
            String name = agent.keys.getLast().principal().name();
            views.add(new AgentView(
                    name,
                    agent.labels,
                    "api-key",
                    agent.keys,
                    Optional.empty(),
                    Scopes.UNRESTRICTED,
                    suspensions.suspensionOf(name)));
        }
        for (ClientAgent client : clientAgents) {
            views.add(new AgentView(
                    client.agent().name(),
                    client.agent().labels(),
                    "oidc-client",
                    List.of(),
                    Optional.of(client.subject()),
                    client.scopes(),
                    suspensions.suspensionOf(client.agent().name())));
        }
        return views;
    }

    public Optional<AgentView> find(String name) {
        return list().stream()
                .filter(view -> view.name().equalsIgnoreCase(name))
                .findFirst();
    }

    /** Revokes every live key of the agent; returns how many. An OIDC client is revoked at the provider, or suspended here. */
    public int revoke(String name, String by) {
        AgentView agent = require(name);
        if (agent.source().equals("oidc-client")) {
            throw new IllegalArgumentException(
                    "agent '" + name
                            + "' is an OIDC client: disable it at the identity provider or remove it from the config; suspend it here to stop it at once");
        }
        Instant now = clock.instant();
        return store.transact(tx -> {
            int revoked = tx.revokeAgent(agent.name(), now);
            if (revoked > 0) {
                ObjectNode data = JsonNodeFactory.instance.objectNode();
                data.put("agent", agent.name());
                data.put("keys", revoked);
                tx.append(event(AuditEventType.AGENT_REVOKED, by, data));
            }
            return revoked;
        });
    }

    public KillSwitch.Suspended suspend(String name, String by, String reason) {
        return killSwitch.suspend(require(name).name(), by, reason);
    }

    public boolean resume(String name, String by) {
        return killSwitch.resume(require(name).name(), by);
    }

    private AgentView require(String name) {
        return find(name).orElseThrow(() -> new UnknownAgent(name));
    }

    private Optional<ClientAgent> clientAgent(String name) {
        return clientAgents.stream()
                .filter(client -> client.agent().name().equalsIgnoreCase(name))
                .findFirst();
    }

    private AuditEvent event(AuditEventType type, String by, ObjectNode data) {
        return new AuditEvent(type, clock.instant().truncatedTo(ChronoUnit.MILLIS), by, Optional.empty(), data);
    }

    /** No agent of that name, with a key or as an OIDC client. */
    public static final class UnknownAgent extends RuntimeException {
        public UnknownAgent(String name) {
            super("no agent '" + name + "'", null, false, false);
        }
    }

    /** One agent's keys as {@link #list} gathers them: its labels are those of its newest live key, else its first. */
    private static final class KeysOfAgent {
        private final List<StoredCredential> keys = new ArrayList<>();
        private Map<String, String> labels;

        private KeysOfAgent(Map<String, String> labels) {
            this.labels = labels;
        }

        private void add(StoredCredential key, Agent agent) {
            if (key.revokedAt().isEmpty()) {
                labels = agent.labels();
            }
            keys.add(key);
        }
    }
}
