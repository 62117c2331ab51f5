package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.client.ActionDenied;
import io.countersign.client.ActionNotAuthorized;
import io.countersign.client.ActionRequest;
import io.countersign.client.ActionStatus;
import io.countersign.client.CountersignClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Java SDK (countersign-client) through clients/scenarios.json, the list of cases the
 * TypeScript and Python SDKs pass too (SdkSuitesTest), against a real gateway. It lives here
 * because the gateway does: countersign-client can't depend on the server. The SDK reaches the
 * gateway through a {@link ValidatingProxy}, so every answer it reads is held to the OpenAPI
 * document as well.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedScenariosTest {
    static final Path SCENARIOS = Path.of("..", "clients", "scenarios.json");
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private TestGateway gateway;
    private ValidatingProxy proxy;
    private CountersignClient client;
    private String agent;
    private String approver;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start(@TempDir Path directory) throws java.io.IOException {
        gateway = new TestGateway(directory);
        proxy = new ValidatingProxy(gateway.baseUrl());
        agent = gateway.agent("reporter");
        approver = gateway.human("bob", "data-owners");
        client = CountersignClient.builder(URI.create(proxy.url()), agent)
                .insecurePlainHttp()
                .maxLongPoll(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    void stop() {
        client.close();
        proxy.close();
        gateway.close();
    }

    static Stream<JsonNode> scenarios() throws Exception {
        List<JsonNode> all = new ArrayList<>();
        MAPPER.readTree(Files.readString(SCENARIOS)).path("scenarios").forEach(all::add);
        return all.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("scenarios")
    void theJavaSdkPassesTheSharedScenario(JsonNode scenario) throws Exception {
        JsonNode action = scenario.path("action");
        String suffix = "java-" + run;
        String resource = action.path("resource").asString() + "-" + suffix;
        ActionRequest request = ActionRequest.of(action.path("action").asString(), resource)
                .reason(action.path("reason").asString() + " (" + suffix + ")");
        for (Map.Entry<String, JsonNode> param : action.path("params").properties()) {
            request = request.param(param.getKey(), param.getValue().asString());
        }
        if (action.has("onBehalfOf")) {
            request = request.onBehalfOf(action.path("onBehalfOf").asString());
        }
        JsonNode expect = scenario.path("expect");
        if (scenario.path("submitTwiceWithTheSameKey").asBoolean(false)) {
            ActionRequest keyed = request.idempotencyKey("same-" + suffix);
            ActionStatus first = client.submit(keyed);
            ActionStatus again = client.submit(keyed);
            assertThat(again.id()).isEqualTo(first.id());
            assertThat(again.status().name().toLowerCase())
                    .isEqualTo(expect.path("status").asString());
            assertThat(gateway.http
                            .get("/v1/approvals?status=pending", approver)
                            .json()
                            .path("items")
                            .valueStream()
                            .filter(item -> item.path("action")
                                    .path("resource")
                                    .asString()
                                    .equals(resource))
                            .count())
                    .isEqualTo(expect.path("requestsInTheInbox").asLong());
            client.cancel(first.id());
            return;
        }
        CompletableFuture<Void> human =
                CompletableFuture.runAsync(() -> steps(scenario.path("whilePending"), resource));
        List<String> runs = new ArrayList<>();
        String outcome = "ran";
        String id;
        try {
            // With a key, submitting again afterwards finds the same request: its id, without a second request.
            ActionRequest keyed = request.idempotencyKey(
                    "scenario-" + suffix + "-" + scenario.path("name").asString());
            client.guard(keyed, Duration.ofSeconds(90), () -> runs.add(resource));
            id = client.submit(keyed).id();
        } catch (ActionNotAuthorized refused) {
            outcome = refused.getClass().getSimpleName();
            id = refused.status().id();
            if (refused instanceof ActionDenied denied && expect.has("rules")) {
                assertThat(denied.rules())
                        .containsExactlyElementsOf(expect.path("rules")
                                .valueStream()
                                .map(JsonNode::asString)
                                .toList());
            }
        } finally {
            human.get(60, TimeUnit.SECONDS); // the human's steps (a restart too) are over before the next scenario
        }
        assertThat(outcome)
                .as(scenario.path("name").asString())
                .isEqualTo(expect.path("outcome").asString());
        assertThat(runs).hasSize(outcome.equals("ran") ? 1 : 0);
        assertThat(client.get(id).status().name().toLowerCase())
                .isEqualTo(expect.path("status").asString());
        assertThat(proxy.violations())
                .as("answers the SDK got that break the OpenAPI document")
                .isEmpty();
    }

    private void steps(JsonNode steps, String resource) {
        if (steps.isEmpty()) {
            return;
        }
        String id = pendingId(resource);
        for (JsonNode step : steps) {
            switch (step.path("do").asString()) {
                case "approve" ->
                    expectOk(gateway.http.post(
                            "/v1/actions/" + id + "/approve",
                            approver,
                            Http.json("comment", step.path("comment").asString("ok"))));
                case "deny" ->
                    expectOk(gateway.http.post(
                            "/v1/actions/" + id + "/deny",
                            approver,
                            Http.json("comment", step.path("comment").asString("no"))));
                case "cancel" -> expectOk(gateway.http.post("/v1/actions/" + id + "/cancel", agent, "{}"));
                case "restartGateway" -> {
                    sleep(500); // the SDK's long-poll is in flight when the gateway goes
                    gateway.restartOnTheSameAddress();
                }
                default -> throw new AssertionError("unknown step in scenarios.json: " + step);
            }
        }
    }

    private String pendingId(String resource) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (JsonNode item : gateway.http
                    .get("/v1/approvals?status=pending", approver)
                    .json()
                    .path("items")) {
                if (item.path("action").path("resource").asString().equals(resource)) {
                    return item.path("id").asString();
                }
            }
            sleep(100);
        }
        throw new AssertionError("no pending request for " + resource + " in the inbox");
    }

    private static void expectOk(Http.Response answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
