package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.Scopes;
import io.countersign.identity.StoredCredential;
import io.countersign.workflow.ApprovalRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Least-privilege findings about agents' keys, as IAM Access Analyzer reports unused access: an
 * agent whose live key was never used in the window (revoke it), a scope of a key that no request
 * of the agent needed (narrow the scopes), and a key without scopes (scope it to what it asked
 * for). Only keys that existed for the whole window count: a key made last week has not had a
 * month to be used. Each narrowing is replayed over the agent's requests of the window: how many
 * of them the narrowed key would have been refused, which is 0 when the finding is right.
 */
final class AgentFindings {
    private AgentFindings() {}

    static List<ShrinkFindings.Finding> find(
            List<StoredCredential> credentials, List<ApprovalRequest> history, Instant from, Instant to) {
        requireNonNull(credentials, "credentials is null");
        Map<String, List<ApprovalRequest>> byAgent = new TreeMap<>();
        history.forEach(request -> byAgent.computeIfAbsent(key(request.agent().name()), k -> new ArrayList<>())
                .add(request));
        Map<String, List<StoredCredential>> keys = new TreeMap<>();
        for (StoredCredential credential : credentials) {
            if (credential.principal() instanceof Agent
                    && credential.unusableAt(to).isEmpty()
                    && credential.createdAt().isBefore(from)) {
                keys.computeIfAbsent(key(credential.principal().name()), k -> new ArrayList<>())
                        .add(credential);
            }
        }
        List<ShrinkFindings.Finding> findings = new ArrayList<>();
        for (Map.Entry<String, List<StoredCredential>> entry : keys.entrySet()) {
            List<ApprovalRequest> requests = byAgent.getOrDefault(entry.getKey(), List.of());
            String name = entry.getValue().getFirst().principal().name();
            boolean usedInWindow = entry.getValue().stream()
                    .anyMatch(key ->
                            key.lastUsedAt().filter(at -> !at.isBefore(from)).isPresent());
            if (requests.isEmpty() && !usedInWindow) {
                findings.add(new ShrinkFindings.Finding(
                        "inactive-agent",
                        name,
                        0,
                        "agent " + name + " has " + entry.getValue().size() + " live key(s) and made no request"
                                + " between " + from + " and " + to,
                        "revoke its keys: countersign agents revoke " + name,
                        requests.size()));
                continue;
            }
            for (StoredCredential key : entry.getValue()) {
                scopeFinding(name, key, requests, from, to).ifPresent(findings::add);
            }
        }
        return List.copyOf(findings);
    }

    private static java.util.Optional<ShrinkFindings.Finding> scopeFinding(
            String name, StoredCredential key, List<ApprovalRequest> requests, Instant from, Instant to) {
        // What the agent asked for with any of its keys and the gateway let reach the policy.
        Set<String> asked = new TreeSet<>();
        requests.stream()
                .filter(request -> !outsideScopes(request))
                .forEach(request -> asked.add(request.action().action()));
        if (asked.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<String> narrowed;
        String summary;
        String kind;
        if (key.scopes().texts().isPresent()) {
            List<String> scopes = key.scopes().texts().get();
            narrowed = scopes.stream()
                    .filter(scope -> asked.stream()
                            .anyMatch(action -> Scopes.of(List.of(scope)).permits(action)))
                    .toList();
            List<String> unused =
                    scopes.stream().filter(scope -> !narrowed.contains(scope)).toList();
            if (unused.isEmpty()) {
                return java.util.Optional.empty();
            }
            kind = "unused-agent-scope";
            summary = "key " + key.tokenId() + " of agent " + name + " has scope(s) " + unused
                    + " that none of its " + requests.size() + " requests between " + from + " and " + to
                    + " needed";
        } else {
            narrowed = List.copyOf(asked);
            kind = "unscoped-agent";
            summary = "key " + key.tokenId() + " of agent " + name + " may ask for any action; between " + from
                    + " and " + to + " it asked for " + asked.size() + " action(s) only";
        }
        Scopes proposed = Scopes.of(narrowed);
        int refused = (int) requests.stream()
                .filter(request -> !outsideScopes(request))
                .filter(request -> !proposed.permits(request.action().action()))
                .count();
        return java.util.Optional.of(new ShrinkFindings.Finding(
                kind + ":" + name + ":" + key.tokenId(),
                kind,
                name,
                0,
                summary,
                "issue the agent a key with " + scopeOptions(narrowed) + " and revoke key " + key.tokenId(),
                refused));
    }

    /** The gateway refused it before the policy: the scopes of the key it used did not permit it. */
    private static boolean outsideScopes(ApprovalRequest request) {
        return request.decision().reason().contains("is outside the scopes of agent");
    }

    private static String scopeOptions(List<String> scopes) {
        return String.join(" ", scopes.stream().map(scope -> "--scope " + scope).toList());
    }

    private static String key(String agentName) {
        return agentName.toLowerCase(Locale.ROOT);
    }
}
