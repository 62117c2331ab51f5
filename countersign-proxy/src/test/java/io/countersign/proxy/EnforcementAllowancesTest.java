package io.countersign.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.workflow.RequestStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@link Recording#ALLOWANCES}: what the policy allows outright is one audit entry, durable before
 * the upstream is called, and its execution one more; no request, no grant. Everything else is
 * the request it always was.
 */
class EnforcementAllowancesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            default: deny
            rules:
              - name: reads-are-free
                match: {action: "test.read"}
                effect: allow
              - name: bulk-reads
                match: {action: "test.bulk"}
                effect: allow
                breaker:
                  max: 2
                  per: 1h
                  then: require_approval
                  approval: {groups: [data-owners], quorum: 1, timeout: 30m}
              - name: agents-never-drop
                match: {action: "test.drop"}
                effect: deny
            """;

    @TempDir
    Path data;

    private ProxyFixture fixture;

    @BeforeEach
    void start() {
        fixture = new ProxyFixture(data, POLICY);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void anActionAllowedOutrightIsLoggedDurablyBeforeTheUpstreamRunsAndItsExecutionAfterWithNoRequest()
            throws Exception {
        AtomicReference<List<JsonNode>> seenByUpstream = new AtomicReference<>();
        Outcome outcome = enforce("test.read", () -> {
            seenByUpstream.set(entries());
            return CompletableFuture.completedFuture(ExecutionRecord.succeeded("SELECT 3"));
        });

        assertThat(outcome).isInstanceOf(Outcome.Executed.class);
        List<JsonNode> before = seenByUpstream.get();
        assertThat(before).extracting(entry -> entry.path("type").asString()).containsExactly("action.allowed");
        JsonNode allowed = before.getFirst();
        assertThat(allowed.path("data").path("decision").path("rules").get(0).asString())
                .isEqualTo("reads-are-free");
        assertThat(allowed.path("data").path("digest").asString()).hasSize(64);
        String id = allowed.path("request").asString();
        assertThat(((Outcome.Executed) outcome).requests().getFirst().value()).isEqualTo(id);

        fixture.enforcement.close(); // waits for the execution record
        List<JsonNode> after = entries();
        assertThat(after)
                .extracting(entry -> entry.path("type").asString())
                .containsExactly("action.allowed", "action.allowed.executed");
        assertThat(after.get(1).path("request").asString()).isEqualTo(id);
        assertThat(after.get(1).path("data").path("detail").asString()).isEqualTo("SELECT 3");
        assertThat(fixture.changes()).isEmpty();
    }

    @Test
    void anUpstreamThatFailsToStartIsRecordedAsAFailedExecutionOfTheAllowance() throws Exception {
        Outcome outcome = enforce("test.read", () -> {
            throw new Upstream.UpstreamFailure("the upstream went away", new java.io.IOException("reset"));
        });

        assertThat(outcome).isInstanceOf(Outcome.UpstreamFailed.class);
        assertThat(entries())
                .extracting(entry -> entry.path("type").asString() + " "
                        + entry.path("data").path("outcome").asString(""))
                .containsExactly("action.allowed ", "action.allowed.executed failed");
    }

    @Test
    void aDeniedActionIsARequestAsEverAndNeverReachesTheUpstream() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Outcome outcome = enforce("test.drop", () -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(ExecutionRecord.succeeded("DROP TABLE"));
        });

        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) outcome).reason()).isEqualTo(Outcome.Reason.DENIED_BY_POLICY);
        assertThat(calls).hasValue(0);
        assertThat(fixture.changes()).singleElement().satisfies(request -> assertThat(request.status())
                .isEqualTo(RequestStatus.DENIED));
        assertThat(entries()).extracting(entry -> entry.path("type").asString()).doesNotContain("action.allowed");
    }

    @Test
    void aSuspendedAgentsAllowedActionIsDeniedAsARequestAndNeverReachesTheUpstream() throws Exception {
        // The fixture's workflow knows no suspensions; this one reads them from the store, as the gateway's does.
        List<io.countersign.workflow.ApprovalRequest> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.countersign.workflow.Workflow workflow = new io.countersign.workflow.Workflow(
                io.countersign.policy.Policy.parse("test-policy.yaml", POLICY),
                fixture.store,
                java.time.Clock.systemUTC(),
                new io.countersign.workflow.GrantTokens(new byte[32]),
                new io.countersign.workflow.VotingRule(),
                changes::add,
                new io.countersign.workflow.WorkflowSettings(java.time.Duration.ofMinutes(5)),
                fixture.store,
                io.countersign.workflow.Notifier.NONE);
        DecisionSignals never = new DecisionSignals() {
            @Override
            public CompletableFuture<io.countersign.workflow.ApprovalRequest> awaitDecision(
                    io.countersign.workflow.RequestId id) {
                return new CompletableFuture<>();
            }

            @Override
            public void forget(
                    io.countersign.workflow.RequestId id,
                    CompletableFuture<io.countersign.workflow.ApprovalRequest> future) {}
        };
        fixture.store.suspend(
                new io.countersign.identity.Suspension("reporter", java.time.Instant.now(), "alice", "runaway"));
        AtomicInteger calls = new AtomicInteger();
        Outcome outcome;
        try (Enforcement enforcement =
                new Enforcement(workflow, never, java.time.Clock.systemUTC(), () -> "http://127.0.0.1:8080")) {
            outcome = enforcement.enforce(
                    fixture.admitted("reporter"),
                    List.of(action("test.read")),
                    noHold(Optional.empty()),
                    () -> {
                        calls.incrementAndGet();
                        return CompletableFuture.completedFuture(ExecutionRecord.succeeded("SELECT 3"));
                    },
                    Recording.ALLOWANCES);
        }

        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) outcome).message()).contains("suspended");
        assertThat(calls).hasValue(0);
        assertThat(changes).singleElement().satisfies(request -> assertThat(request.status())
                .isEqualTo(RequestStatus.DENIED));
        assertThat(entries()).extracting(entry -> entry.path("type").asString()).doesNotContain("action.allowed");
    }

    @Test
    void anAllowedActionABreakerTightensBecomesAHeldRequestWithItsTripLogged() throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            outcomes.add(enforceWithDeadline("test.bulk", () -> {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture(ExecutionRecord.succeeded("SELECT 1"));
            }));
        }

        assertThat(outcomes.subList(0, 2))
                .allSatisfy(outcome -> assertThat(outcome).isInstanceOf(Outcome.Executed.class));
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) outcomes.get(2)).reason()).isEqualTo(Outcome.Reason.AWAITING);
        assertThat(calls).hasValue(2);
        assertThat(fixture.changes()).singleElement().satisfies(request -> assertThat(request.isPending())
                .isTrue());
        assertThat(entries())
                .extracting(entry -> entry.path("type").asString())
                .contains("breaker.tripped")
                .filteredOn("action.allowed"::equals)
                .hasSize(2);
    }

    private Outcome enforce(String action, Upstream upstream) {
        return fixture.enforcement.enforce(
                fixture.admitted("reporter"),
                List.of(action(action)),
                noHold(Optional.empty()),
                upstream,
                Recording.ALLOWANCES);
    }

    /** A hold that stops waiting at once: a held action comes back as AWAITING. */
    private Outcome enforceWithDeadline(String action, Upstream upstream) {
        return fixture.enforcement.enforce(
                fixture.admitted("reporter"),
                List.of(action(action)),
                noHold(Optional.of(java.time.Instant.now())),
                upstream,
                Recording.ALLOWANCES);
    }

    private static Action action(String name) {
        return Action.of(name, "pg/main/app/public.orders", Action.noParams(), "allowances");
    }

    private static Hold noHold(Optional<java.time.Instant> deadline) {
        return new Hold() {
            @Override
            public void held(List<Pending> pending) {}

            @Override
            public Optional<String> gone() {
                return Optional.empty();
            }

            @Override
            public Optional<java.time.Instant> deadline() {
                return deadline;
            }
        };
    }

    private List<JsonNode> entries() {
        return fixture.store.auditLeaves(0, fixture.store.auditSize()).stream()
                .map(JSON::readTree)
                .filter(entry -> !entry.path("type").asString().startsWith("policy."))
                .toList();
    }
}
