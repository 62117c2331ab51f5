package io.countersign.proxy;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.KeyCheck;
import io.countersign.identity.Secret;
import io.countersign.identity.StoredCredential;
import io.countersign.policy.Policy;
import io.countersign.policy.PolicyEngine;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.GrantTokens;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestListener;
import io.countersign.workflow.VotingRule;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real gateway core for the proxies' tests: the SQLite store, the workflow over a policy, API
 * keys, an expiry sweep every 100 ms, and decision signals from the workflow's listener: what the
 * composition root wires, minus HTTP.
 */
public final class ProxyFixture implements AutoCloseable {
    public final SqliteStore store;
    public final Workflow workflow;
    public final ApiTokens keys;
    public final Enforcement enforcement;
    public final AgentAuthenticator authenticator;
    private final Signals signals = new Signals();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor();

    public ProxyFixture(Path data, String policyYaml) {
        this(data, policyYaml, Function.identity());
    }

    /** {@code wrap} decorates the policy the workflow decides with (as the composition root does for the proxies). */
    public ProxyFixture(Path data, String policyYaml, Function<PolicyEngine, PolicyEngine> wrap) {
        store = SqliteStore.open(data);
        Clock clock = Clock.systemUTC();
        workflow = new Workflow(
                wrap.apply(Policy.parse("test-policy.yaml", policyYaml)),
                store,
                clock,
                new GrantTokens(new byte[32]),
                new VotingRule(),
                signals,
                new WorkflowSettings(Duration.ofMinutes(5)));
        keys = new ApiTokens(store, clock);
        enforcement = new Enforcement(workflow, signals, clock, () -> "http://127.0.0.1:8080");
        authenticator = (name, key) -> keys.check(key.reveal()) instanceof KeyCheck.Valid valid
                        && valid.credential().principal() instanceof Agent agent
                        && agent.name().equals(name)
                ? new Login.Admitted(agent, credential(valid.credential()))
                : new Login.Refused("unknown agent or API key");
        sweeper.scheduleWithFixedDelay(workflow::expireDue, 100, 100, TimeUnit.MILLISECONDS);
    }

    private static io.countersign.identity.Scopes credential(StoredCredential credential) {
        return credential.scopes();
    }

    public Secret keyFor(String agent) {
        return keys.issue(Agent.named(agent));
    }

    public Login.Admitted admitted(String agent) {
        return new Login.Admitted(Agent.named(agent), io.countersign.identity.Scopes.UNRESTRICTED);
    }

    /** Every request the workflow has seen change, newest state last. */
    public List<ApprovalRequest> changes() {
        return List.copyOf(signals.changes);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        enforcement.close();
        store.close();
    }

    private static final class Signals implements DecisionSignals, RequestListener {
        private final Map<RequestId, List<CompletableFuture<ApprovalRequest>>> waiters = new ConcurrentHashMap<>();
        private final List<ApprovalRequest> changes = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<ApprovalRequest> awaitDecision(RequestId id) {
            CompletableFuture<ApprovalRequest> future = new CompletableFuture<>();
            waiters.computeIfAbsent(id, ignored -> new CopyOnWriteArrayList<>()).add(future);
            return future;
        }

        @Override
        public void forget(RequestId id, CompletableFuture<ApprovalRequest> future) {
            waiters.computeIfPresent(id, (ignored, list) -> {
                list.remove(future);
                return list.isEmpty() ? null : list;
            });
        }

        @Override
        public void changed(ApprovalRequest request) {
            changes.add(request);
            if (!request.isPending()) {
                List<CompletableFuture<ApprovalRequest>> waiting = waiters.remove(request.id());
                if (waiting != null) {
                    waiting.forEach(future -> future.complete(request));
                }
            }
        }
    }
}
