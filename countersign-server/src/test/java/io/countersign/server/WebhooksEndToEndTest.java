package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.outbox.NotificationType;
import io.countersign.server.FakeWebhookReceiver.Received;
import io.countersign.server.Http.Response;
import io.countersign.server.channels.Backoff;
import io.countersign.server.config.NotificationsConfig;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.webhooks.WebhookConfig;
import io.countersign.server.webhooks.WebhookSecret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Signed webhooks through the durable outbox, against a receiver on loopback. */
class WebhooksEndToEndTest {
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path directory;

    private final FakeWebhookReceiver receiver = new FakeWebhookReceiver();
    private TestGateway gateway;
    private String agent;
    private String bob;
    private String admin;

    private void start(Backoff backoff) {
        WebhookConfig webhook =
                new WebhookConfig("ops", receiver.url(), WebhookSecret.parse(SECRET), WebhookConfig.DEFAULT_EVENTS);
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of()),
                "/e2e-policy.yaml",
                config -> config.withNotifications(
                        new NotificationsConfig(backoff, Duration.ofMillis(100), List.of(webhook))));
        agent = gateway.agent("reporter");
        bob = gateway.human("bob", "data-owners");
        admin = gateway.human("ada", "countersign-admins");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        receiver.close();
    }

    private String pendingExport() {
        Response created = gateway.http.post(
                "/v1/actions",
                agent,
                json(
                        "action",
                        "db.export",
                        "resource",
                        "db/prod/customers",
                        "params",
                        java.util.Map.of("rows", 1200),
                        "reason",
                        "quarterly churn report"));
        assertThat(created.status()).isEqualTo(202);
        return created.text("id");
    }

    @Test
    void aRequest_itsDecision_andItsExecution_arriveSigned_theStandardWebhooksWay() throws Exception {
        start(Backoff.DEFAULT);
        String id = pendingExport();
        await(() -> receiver.received().size() == 1);
        gateway.http.post("/v1/actions/" + id + "/approve", bob, json("comment", "fine"));
        String grant = gateway.http
                .get("/v1/actions/" + id, agent)
                .json()
                .path("grant")
                .path("token")
                .asString();
        gateway.http.post("/v1/actions/" + id + "/execution", agent, json("grant", grant, "outcome", "succeeded"));
        await(() -> receiver.received().size() == 3);

        List<Received> received = receiver.received();
        assertThat(received)
                .extracting(r -> MAPPER.readTree(r.body()).path("type").asString())
                .containsExactly("request.created", "request.decided", "action.executed");
        for (Received delivery : received) {
            assertThat(delivery.headers().get("content-type")).isEqualTo("application/json");
            assertThat(delivery.headers().get("webhook-signature")).isEqualTo(expectedSignature(delivery));
            long sentAt = Long.parseLong(delivery.headers().get("webhook-timestamp"));
            assertThat(sentAt)
                    .isBetween(
                            Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 1);
        }
        JsonNode decided = MAPPER.readTree(received.get(1).body()).path("data");
        assertThat(decided.path("id").asString()).isEqualTo(id);
        assertThat(decided.path("status").asString()).isEqualTo("approved");
        assertThat(decided.path("decidedBy").asString()).isEqualTo("human:bob");
        assertThat(decided.path("votes").get(0).path("channel").asString()).isEqualTo("api");
        assertThat(decided.path("url").asString()).isEqualTo(gateway.baseUrl() + "/console/requests/" + id);
        assertThat(received.get(1).body())
                .as("a grant never leaves the gateway in a webhook")
                .doesNotContain(grant);
    }

    @Test
    void aReceiverThatIsDown_getsTheEventAfterItComesBack_exactlyOnce() throws Exception {
        start(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1), 1_000));
        receiver.goAway();
        String id = pendingExport();
        Response allowed = gateway.http.post(
                "/v1/actions",
                agent,
                json(
                        "action",
                        "db.query",
                        "resource",
                        "db/prod/customers",
                        "params",
                        java.util.Map.of(),
                        "reason",
                        "count"));
        assertThat(allowed.status()).isEqualTo(200);
        await(() -> failures() >= 3);
        assertThat(receiver.received()).isEmpty();

        receiver.comeBack();
        await(() -> receiver.received().size() == 3);
        Thread.sleep(1_500); // more than a backoff period: nothing comes twice

        List<Received> received = receiver.received();
        assertThat(received).hasSize(3);
        assertThat(received).extracting(r -> r.headers().get("webhook-id")).doesNotHaveDuplicates();
        assertThat(received)
                .extracting(
                        r -> MAPPER.readTree(r.body()).path("data").path("id").asString())
                .containsOnly(id, allowed.text("id"));
        assertThat(gateway.http
                        .get("/v1/admin/outbox?status=pending", admin)
                        .json()
                        .path("counts")
                        .path("pending")
                        .asLong())
                .isZero();
    }

    @Test
    void aDeliveryThatKeepsFailing_isVisible_andAnAdminRetriesIt() throws Exception {
        start(new Backoff(Duration.ofMillis(100), Duration.ofMillis(200), 2));
        receiver.answer(500);
        String id = pendingExport();
        await(() -> gateway.http
                        .get("/v1/admin/outbox?status=failed", admin)
                        .json()
                        .path("items")
                        .size()
                == 1);

        JsonNode failed = gateway.http
                .get("/v1/admin/outbox?status=failed", admin)
                .json()
                .path("items")
                .get(0);
        assertThat(failed.path("channel").asString()).isEqualTo("webhook:ops");
        assertThat(failed.path("type").asString()).isEqualTo(NotificationType.REQUEST_CREATED.wireName());
        assertThat(failed.path("request").asString()).isEqualTo(id);
        assertThat(failed.path("attempts").asInt()).isEqualTo(2);
        assertThat(failed.path("lastError").asString()).contains("answered 500");
        assertThat(gateway.http.get("/metrics", null).body())
                .contains("countersign_outbox_deliveries{status=\"failed\"} 1.0");
        assertThat(gateway.http.get("/v1/admin/outbox?status=failed", bob).status())
                .as("admins only")
                .isEqualTo(403);

        receiver.answer(204);
        Response retried =
                gateway.http.post("/v1/admin/outbox/" + failed.path("id").asLong() + "/retry", admin, "{}");
        assertThat(retried.status()).isEqualTo(200);
        await(() -> receiver.received().size() == 1);
        assertThat(gateway.http
                        .post("/v1/admin/outbox/" + failed.path("id").asLong() + "/retry", admin, "{}")
                        .status())
                .isEqualTo(404);
    }

    private double failures() {
        return gateway.http
                .get("/metrics", null)
                .body()
                .lines()
                .filter(line -> line.startsWith("countersign_outbox_failures_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The signature computed here from the spec, not with the gateway's code. */
    private static String expectedSignature(Received delivery) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        String signed = delivery.headers().get("webhook-id") + "."
                + delivery.headers().get("webhook-timestamp") + "." + delivery.body();
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    private static void await(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s");
            }
            Thread.sleep(50);
        }
    }
}
