package io.countersign.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Human;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seam's scenario table, which every protocol's adapter reuses: what the policy says, what a
 * human (or the agent) does while the action is held, and whether the upstream was called (at most
 * once), with the requests' states after.
 */
class EnforcementTest {
    private static final String POLICY = """
            default: deny
            rules:
              - name: reads-are-free
                match: {action: "test.read"}
                effect: allow
              - name: agents-never-drop
                match: {action: "test.drop"}
                effect: deny
                reason: "agents never drop tables"
              - name: writes-need-a-data-owner
                match: {action: "test.write"}
                effect: require_approval
                approval: {groups: [data-owners], quorum: 1, timeout: 30m}
              - name: quick-expiry
                match: {action: "test.expiring"}
                effect: require_approval
                approval: {groups: [data-owners], quorum: 1, timeout: 1s}
            """;
    private static final Human ALICE = new Human("alice", "alice@example.com", Set.of("data-owners"));

    @TempDir
    Path data;

    private ProxyFixture fixture;
    private final ScheduledExecutorService humans = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() {
        fixture = new ProxyFixture(data, POLICY);
    }

    @AfterEach
    void stop() {
        humans.shutdownNow();
        fixture.close();
    }

    /** What happens while held: nothing, a human approves, a human denies, the agent leaves. */
    enum Meanwhile {
        NOTHING,
        APPROVE,
        DENY,
        AGENT_LEAVES
    }

    static List<Arguments> scenarios() {
        return List.of(
                Arguments.of(
                        "allowed",
                        List.of("test.read"),
                        Meanwhile.NOTHING,
                        Outcome.Executed.class,
                        null,
                        1,
                        List.of(RequestStatus.EXECUTED)),
                Arguments.of(
                        "denied",
                        List.of("test.drop"),
                        Meanwhile.NOTHING,
                        Outcome.Refused.class,
                        Outcome.Reason.DENIED_BY_POLICY,
                        0,
                        List.of(RequestStatus.DENIED)),
                Arguments.of(
                        "held then approved",
                        List.of("test.write"),
                        Meanwhile.APPROVE,
                        Outcome.Executed.class,
                        null,
                        1,
                        List.of(RequestStatus.EXECUTED)),
                Arguments.of(
                        "held then denied",
                        List.of("test.write"),
                        Meanwhile.DENY,
                        Outcome.Refused.class,
                        Outcome.Reason.DENIED_BY_HUMAN,
                        0,
                        List.of(RequestStatus.DENIED)),
                Arguments.of(
                        "expired",
                        List.of("test.expiring"),
                        Meanwhile.NOTHING,
                        Outcome.Refused.class,
                        Outcome.Reason.EXPIRED,
                        0,
                        List.of(RequestStatus.EXPIRED)),
                Arguments.of(
                        "agent gone while held",
                        List.of("test.write"),
                        Meanwhile.AGENT_LEAVES,
                        Outcome.Refused.class,
                        Outcome.Reason.AGENT_GONE,
                        0,
                        List.of(RequestStatus.CANCELLED)),
                Arguments.of(
                        "unknown action",
                        List.of("test.unknown"),
                        Meanwhile.NOTHING,
                        Outcome.Refused.class,
                        Outcome.Reason.DENIED_BY_POLICY,
                        0,
                        List.of(RequestStatus.DENIED)),
                Arguments.of(
                        "several actions, one denied: the most restrictive wins and the held one is cancelled",
                        List.of("test.write", "test.drop"),
                        Meanwhile.NOTHING,
                        Outcome.Refused.class,
                        Outcome.Reason.DENIED_BY_POLICY,
                        0,
                        List.of(RequestStatus.CANCELLED, RequestStatus.DENIED)),
                Arguments.of(
                        "several actions, one held: runs once after the approval",
                        List.of("test.read", "test.write"),
                        Meanwhile.APPROVE,
                        Outcome.Executed.class,
                        null,
                        1,
                        List.of(RequestStatus.EXECUTED, RequestStatus.EXECUTED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void decidesHoldsExecutesOnceAndRecords(
            String scenario,
            List<String> actionNames,
            Meanwhile meanwhile,
            Class<? extends Outcome> outcomeType,
            Outcome.Reason reason,
            int upstreamCalls,
            List<RequestStatus> finalStates)
            throws Exception {
        List<Action> actions = actionNames.stream()
                .map(name -> Action.of(name, "pg/main/app/public.orders", params(), "scenario " + scenario))
                .toList();
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean gone = new AtomicBoolean();
        List<Hold.Pending> told = new CopyOnWriteArrayList<>();
        Hold hold = new Hold() {
            @Override
            public void held(List<Pending> pending) {
                told.addAll(pending);
                pending.forEach(request ->
                        humans.schedule(() -> act(meanwhile, request.id(), gone), 300, TimeUnit.MILLISECONDS));
            }

            @Override
            public Optional<String> gone() {
                return gone.get() ? Optional.of("the client disconnected") : Optional.empty();
            }
        };

        Outcome outcome = fixture.enforcement.enforce(fixture.admitted("reporter"), actions, hold, () -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(ExecutionRecord.succeeded("DELETE 1"));
        });

        assertThat(outcome).isInstanceOf(outcomeType);
        if (outcome instanceof Outcome.Refused refused) {
            assertThat(refused.reason()).isEqualTo(reason);
        }
        assertThat(calls).hasValue(upstreamCalls);
        assertThat(told).allSatisfy(pending -> assertThat(pending.consoleUrl())
                .isEqualTo("http://127.0.0.1:8080/console/requests/" + pending.id()));
        fixture.enforcement.close();
        assertThat(finalStates(actions.size())).containsExactlyElementsOf(finalStates);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void aHeldActionIsNeverRunLaterByItself(
            String scenario,
            List<String> actionNames,
            Meanwhile meanwhile,
            Class<? extends Outcome> outcomeType,
            Outcome.Reason reason,
            int upstreamCalls,
            List<RequestStatus> finalStates)
            throws Exception {
        decidesHoldsExecutesOnceAndRecords(
                scenario, actionNames, meanwhile, outcomeType, reason, upstreamCalls, finalStates);
        Thread.sleep(1500);
        // Whatever was decided after the enforcement ended (an approval of a cancelled request is refused) runs
        // nothing.
        assertThat(fixture.changes().stream()
                        .filter(request -> request.status() == RequestStatus.EXECUTED)
                        .count())
                .isEqualTo(finalStates.stream()
                        .filter(state -> state == RequestStatus.EXECUTED)
                        .count());
    }

    private void act(Meanwhile meanwhile, RequestId id, AtomicBoolean gone) {
        switch (meanwhile) {
            case APPROVE -> fixture.workflow.approve(ALICE, id, Optional.of("fine"), "test");
            case DENY -> fixture.workflow.deny(ALICE, id, "not today", "test");
            case AGENT_LEAVES -> gone.set(true);
            case NOTHING -> {}
        }
    }

    /** The latest state of each request the scenario made, in the order they were made. */
    private List<RequestStatus> finalStates(int count) {
        java.util.LinkedHashMap<RequestId, RequestStatus> latest = new java.util.LinkedHashMap<>();
        BiConsumer<RequestId, RequestStatus> put = latest::put;
        for (ApprovalRequest change : fixture.changes()) {
            put.accept(
                    change.id(),
                    fixture.workflow.find(change.id()).orElseThrow().status());
        }
        assertThat(latest).hasSize(count);
        return List.copyOf(latest.values());
    }

    private static ObjectNode params() {
        ObjectNode params = Action.noParams();
        params.put("statement", "DELETE FROM orders WHERE id = 1");
        return params;
    }
}
