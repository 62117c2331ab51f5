package io.countersign.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Human;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * A hold with a deadline (an agent that comes back later, as HTTP's 202 and retry) leaves its
 * request pending; resuming it with the same action runs it once approved, and never otherwise.
 */
class EnforcementResumeTest {
    private static final String POLICY = """
            default: deny
            rules:
              - name: writes-need-a-data-owner
                match: {action: "test.write"}
                effect: require_approval
                approval: {groups: [data-owners], quorum: 1, timeout: 30m}
            """;
    private static final Human ALICE = new Human("alice", "alice@example.com", java.util.Set.of("data-owners"));

    @TempDir
    Path data;

    private ProxyFixture fixture;
    private final AtomicInteger calls = new AtomicInteger();
    private final Upstream upstream = () -> {
        calls.incrementAndGet();
        return CompletableFuture.completedFuture(ExecutionRecord.succeeded("ran"));
    };

    @BeforeEach
    void start() {
        fixture = new ProxyFixture(data, POLICY);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static Action write(String value) {
        ObjectNode params = Action.noParams();
        params.put("value", value);
        return Action.of("test.write", "db/t", params, "a test");
    }

    private static Hold until(Instant deadline) {
        return new Hold() {
            @Override
            public void held(List<Pending> pending) {}

            @Override
            public Optional<String> gone() {
                return Optional.empty();
            }

            @Override
            public Optional<Instant> deadline() {
                return Optional.of(deadline);
            }
        };
    }

    private RequestId heldPastItsDeadline(Login.Admitted agent, Action action) {
        Outcome outcome = fixture.enforcement.enforce(agent, List.of(action), until(Instant.now()), upstream);
        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused awaiting = (Outcome.Refused) outcome;
        assertThat(awaiting.reason()).isEqualTo(Outcome.Reason.AWAITING);
        RequestId id = awaiting.request().orElseThrow();
        assertThat(fixture.workflow.find(id).orElseThrow().status()).isEqualTo(RequestStatus.PENDING);
        return id;
    }

    @Test
    void aResumedRequestRunsOnceAfterTheApproval_andNotBefore() {
        Login.Admitted agent = fixture.admitted("coder");
        RequestId id = heldPastItsDeadline(agent, write("a"));
        Outcome stillWaiting = fixture.enforcement.resume(agent, id, write("a"), until(Instant.now()), upstream);
        assertThat(((Outcome.Refused) stillWaiting).reason()).isEqualTo(Outcome.Reason.AWAITING);
        assertThat(calls).hasValue(0);

        fixture.workflow.approve(ALICE, id, Optional.empty(), "test");
        assertThat(fixture.enforcement.resume(agent, id, write("a"), until(Instant.now()), upstream))
                .isInstanceOf(Outcome.Executed.class);
        Outcome again = fixture.enforcement.resume(agent, id, write("a"), until(Instant.now()), upstream);
        assertThat(((Outcome.Refused) again).reason()).isEqualTo(Outcome.Reason.NOT_RUN);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aResumeWithAnotherActionIsRefusedAsChanged_andRunsNothing() {
        Login.Admitted agent = fixture.admitted("coder");
        RequestId id = heldPastItsDeadline(agent, write("a"));
        fixture.workflow.approve(ALICE, id, Optional.empty(), "test");
        Outcome changed = fixture.enforcement.resume(agent, id, write("b"), until(Instant.now()), upstream);
        assertThat(((Outcome.Refused) changed).reason()).isEqualTo(Outcome.Reason.CHANGED);
        assertThat(calls).hasValue(0);
    }

    @Test
    void anotherAgentCannotResumeTheRequest() {
        RequestId id = heldPastItsDeadline(fixture.admitted("coder"), write("a"));
        fixture.workflow.approve(ALICE, id, Optional.empty(), "test");
        Outcome refused = fixture.enforcement.resume(
                fixture.admitted("intruder"), id, write("a"), until(Instant.now()), upstream);
        assertThat(((Outcome.Refused) refused).reason()).isEqualTo(Outcome.Reason.REFUSED);
        assertThat(refused.toString()).doesNotContain("coder");
        assertThat(calls).hasValue(0);
    }

    @Test
    void aDeniedRequestResumedIsTheHumansDenial() {
        Login.Admitted agent = fixture.admitted("coder");
        RequestId id = heldPastItsDeadline(agent, write("a"));
        fixture.workflow.deny(ALICE, id, "no", "test");
        Outcome denied = fixture.enforcement.resume(agent, id, write("a"), until(Instant.now()), upstream);
        assertThat(((Outcome.Refused) denied).reason()).isEqualTo(Outcome.Reason.DENIED_BY_HUMAN);
        assertThat(calls).hasValue(0);
    }

    @Test
    void resumesRacingForOneApprovedRequestRunItOnce() throws Exception {
        Login.Admitted agent = fixture.admitted("coder");
        RequestId id = heldPastItsDeadline(agent, write("a"));
        fixture.workflow.approve(ALICE, id, Optional.empty(), "test");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Upstream slow = () -> {
            calls.incrementAndGet();
            inside.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.completedFuture(ExecutionRecord.succeeded("ran"));
        };
        CompletableFuture<Outcome> first = CompletableFuture.supplyAsync(
                () -> fixture.enforcement.resume(agent, id, write("a"), until(Instant.now()), slow));
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        List<Outcome> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(fixture.enforcement.resume(agent, id, write("a"), until(Instant.now()), slow));
        }
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isInstanceOf(Outcome.Executed.class);
        assertThat(others).allSatisfy(outcome -> assertThat(((Outcome.Refused) outcome).reason())
                .isEqualTo(Outcome.Reason.NOT_RUN));
        assertThat(calls).hasValue(1);
    }
}
