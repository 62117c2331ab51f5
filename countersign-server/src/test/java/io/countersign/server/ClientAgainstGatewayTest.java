package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.client.ActionDenied;
import io.countersign.client.ActionRequest;
import io.countersign.client.ActionStatus;
import io.countersign.client.CountersignClient;
import io.countersign.client.Grant;
import io.countersign.client.RequestStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java SDK against the real gateway: the agent's side of every flow. */
class ClientAgainstGatewayTest {
    @TempDir
    Path directory;

    private TestGateway gateway;
    private CountersignClient client;
    private String agentKey;
    private String alice;

    @BeforeEach
    void start() {
        gateway = new TestGateway(directory);
        agentKey = gateway.agent("reporter");
        client = CountersignClient.builder(URI.create(gateway.baseUrl()), agentKey)
                .build();
        alice = gateway.human("alice", "data-owners");
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.close();
    }

    @Test
    void guard_runsAllowedWorkOnce_andReportsIt() throws Exception {
        AtomicInteger runs = new AtomicInteger();

        String result = client.guard(
                ActionRequest.of("db.query", "db/prod/customers").reason("count rows"),
                Duration.ofSeconds(5),
                () -> "ran " + runs.incrementAndGet());

        assertThat(result).isEqualTo("ran 1");
        assertThat(gateway.http.get("/v1/audit/entries", gateway.auditor()).body())
                .contains("\"type\":\"action.executed\"");
    }

    @Test
    void guard_neverRunsDeniedWork() {
        AtomicInteger runs = new AtomicInteger();

        assertThatThrownBy(() -> client.guard(
                        ActionRequest.of("iam.grant", "iam/roles/admin").reason("promote me"),
                        Duration.ofSeconds(5),
                        () -> runs.incrementAndGet()))
                .isInstanceOfSatisfying(ActionDenied.class, denied -> {
                    assertThat(denied.rules()).containsExactly("agents-never-touch-iam");
                    assertThat(denied.reason()).contains("agents may not change IAM");
                });
        assertThat(runs).hasValue(0);
    }

    @Test
    void guard_waitsForTheHumanApproval_thenRuns() throws Exception {
        CompletableFuture<String> guarded = CompletableFuture.supplyAsync(() -> {
            try {
                return client.guard(
                        ActionRequest.of("db.export", "db/prod/customers").reason("quarterly export"),
                        Duration.ofSeconds(20),
                        () -> "exported");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String id = awaitInbox();

        gateway.http.post("/v1/actions/" + id + "/approve", alice, "{}");

        assertThat(guarded.get(10, TimeUnit.SECONDS)).isEqualTo("exported");
        ActionStatus finalState = client.get(id);
        assertThat(finalState.status()).isEqualTo(RequestStatus.EXECUTED);
    }

    @Test
    void submit_whoseAnswerWasLostOnTheWay_isRetriedOntoTheRequestTheGatewayAlreadyMade() throws IOException {
        try (AnswerLosingProxy proxy = new AnswerLosingProxy(gateway.baseUrl(), 1);
                CountersignClient behindProxy = CountersignClient.builder(URI.create(proxy.url()), agentKey)
                        .build()) {
            ActionStatus status = behindProxy.submit(
                    ActionRequest.of("db.export", "db/prod/lost-answer").reason("an export whose answer is lost"));

            assertThat(proxy.lostAnswers()).hasSize(1);
            assertThat(proxy.lostAnswers().getFirst()).contains("\"id\":\"" + status.id() + "\"");
            var inbox = gateway.http.get("/v1/approvals", alice).json().path("items");
            assertThat(inbox.valueStream()
                            .filter(item -> item.path("action")
                                    .path("resource")
                                    .asString()
                                    .equals("db/prod/lost-answer"))
                            .map(item -> item.path("id").asString()))
                    .containsExactly(status.id());
        }
    }

    @Test
    void authorize_whoseSubmissionAnswerWasLost_stillWaitsForTheOneRequest_andGetsItsGrant() throws Exception {
        try (AnswerLosingProxy proxy = new AnswerLosingProxy(gateway.baseUrl(), 1);
                CountersignClient behindProxy = CountersignClient.builder(URI.create(proxy.url()), agentKey)
                        .build()) {
            CompletableFuture<Grant> authorized = CompletableFuture.supplyAsync(() -> {
                try {
                    return behindProxy.authorize(
                            ActionRequest.of("db.export", "db/prod/lost-then-approved")
                                    .reason("export"),
                            Duration.ofSeconds(60));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String id = awaitInbox();
            gateway.http.post("/v1/actions/" + id + "/approve", alice, "{}");

            Grant grant = authorized.get(60, TimeUnit.SECONDS);
            assertThat(grant.requestId()).isEqualTo(id);
            assertThat(proxy.lostAnswers()).singleElement().asString().contains("\"id\":\"" + id + "\"");
            assertThat(gateway.http.get("/v1/approvals", alice).json().path("items"))
                    .isEmpty();
        }
    }

    private String awaitInbox() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            var items = gateway.http.get("/v1/approvals", alice).json().path("items");
            if (!items.isEmpty()) {
                return items.get(0).path("id").asString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing reached the inbox");
    }
}
