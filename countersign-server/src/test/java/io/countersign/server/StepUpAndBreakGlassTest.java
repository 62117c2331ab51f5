package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.countersign.server.Http.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Step-up rules count only fresh sign-ins; break-glass approves an emergency alone, loudly, and opens a review. */
class StepUpAndBreakGlassTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path directory;

    private TestIdentityProvider provider;
    private TestGateway gateway;
    private String oncall;
    private final ListAppender<ILoggingEvent> notices = new ListAppender<>();

    @BeforeEach
    void start() {
        provider = new TestIdentityProvider();
        gateway = new TestGateway(
                directory,
                OidcAuthenticationTest.identity(provider)
                        .withBreakGlassGroup("incident-commanders")
                        .withStepUpMaxAge(Duration.ofMinutes(10)),
                "/identity-policy.yaml");
        oncall = gateway.agent("oncall-bot");
        notices.start();
        ((Logger) LoggerFactory.getLogger("countersign.notify")).addAppender(notices);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("countersign.notify")).detachAppender(notices);
        gateway.close();
        provider.close();
    }

    private String submit(String action, String onBehalfOf) {
        String body = onBehalfOf == null
                ? json("action", action, "resource", "prod/api", "reason", "page 1234")
                : json("action", action, "resource", "prod/api", "reason", "page 1234", "onBehalfOf", onBehalfOf);
        Response submitted = gateway.http.post("/v1/actions", oncall, body);
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        return submitted.text("id");
    }

    private String signedIn(String name, Instant authTime, String... groups) {
        return provider.sign(provider.claims(name, groups)
                .claim("auth_time", authTime.getEpochSecond())
                .build());
    }

    private List<JsonNode> audit() {
        return gateway.http
                .get("/v1/audit/entries", gateway.auditor())
                .body()
                .lines()
                .map(MAPPER::readTree)
                .toList();
    }

    @Test
    void stepUpRule_refusesAStaleSignIn_withAProblemThatAsksForANewOne() {
        String id = submit("deploy.production", null);

        Response stale = gateway.http.post(
                "/v1/actions/" + id + "/approve",
                signedIn("sam", Instant.now().minus(Duration.ofMinutes(45)), "sre"),
                "{}");
        Response local = gateway.http.post("/v1/actions/" + id + "/approve", gateway.human("lou", "sre"), "{}");

        assertThat(stale.status()).isEqualTo(403);
        assertThat(stale.text("type")).isEqualTo("urn:countersign:problem:step-up-required");
        assertThat(stale.text("detail"))
                .contains("rule 'production-deploys-need-a-fresh-sign-in' needs a sign-in within the last 10 min");
        assertThat(local.status()).as("a local token carries no sign-in time").isEqualTo(403);
        assertThat(local.text("type")).isEqualTo("urn:countersign:problem:step-up-required");
    }

    @Test
    void stepUpRule_countsAFreshSignIn() {
        String id = submit("deploy.production", null);

        Response fresh = gateway.http.post(
                "/v1/actions/" + id + "/approve", signedIn("sam", Instant.now().minusSeconds(30), "sre"), "{}");

        assertThat(fresh.status()).isEqualTo(200);
        assertThat(fresh.text("status")).isEqualTo("approved");
        JsonNode vote = audit().stream()
                .filter(e -> e.path("type").asString().equals("vote.cast"))
                .findFirst()
                .orElseThrow();
        assertThat(vote.path("data").path("signedInAt").isString()).isTrue();
    }

    @Test
    void ruleWithoutStepUp_acceptsAnOldSignIn() {
        String id = submit("incident.mitigate", null);

        Response old = gateway.http.post(
                "/v1/actions/" + id + "/approve",
                signedIn("sam", Instant.now().minus(Duration.ofHours(8)), "sre"),
                "{}");

        assertThat(old.status())
                .as("counted, still pending for the second approver")
                .isEqualTo(202);
        assertThat(old.json().path("votes").size()).isEqualTo(1);
    }

    @Test
    void breakGlass_letsTheGroupApproveItsOwnEmergency_isLogged_notifiesTheGroup_andOpensAReview() {
        String commander = signedIn("ic", Instant.now(), "sre", "incident-commanders");
        String id = submit("incident.mitigate", "ic");

        Response ordinary = gateway.http.post("/v1/actions/" + id + "/approve", commander, json("comment", "go"));
        Response broken = gateway.http.post(
                "/v1/actions/" + id + "/approve", commander, json("breakGlass", true, "reason", "prod is down, SEV1"));

        assertThat(ordinary.status())
                .as("separation of duties holds without break-glass")
                .isEqualTo(403);
        assertThat(broken.status()).isEqualTo(200);
        assertThat(broken.text("status"))
                .as("one break-glass approval is enough, quorum 2 or not")
                .isEqualTo("approved");
        assertThat(broken.json().path("breakGlass").path("review").asString()).isEqualTo("open");
        assertThat(broken.json().path("breakGlass").path("reason").asString()).isEqualTo("prod is down, SEV1");
        List<String> types =
                audit().stream().map(e -> e.path("type").asString()).toList();
        assertThat(types).containsSubsequence("vote.cast", "breakglass.used", "request.approved", "grant.issued");
        JsonNode vote = audit().stream()
                .filter(e -> e.path("type").asString().equals("vote.cast"))
                .findFirst()
                .orElseThrow();
        assertThat(vote.path("data").path("breakGlass").asBoolean()).isTrue();
        assertThat(notices.list).anySatisfy(notice -> assertThat(notice.getFormattedMessage())
                .startsWith("to group incident-commanders: Break-glass approval of " + id)
                .contains("prod is down, SEV1"));

        Response selfAck = gateway.http.post("/v1/actions/" + id + "/review", commander, json("comment", "all good"));
        Response ack = gateway.http.post(
                "/v1/actions/" + id + "/review",
                signedIn("rita", Instant.now(), "security"),
                json("comment", "reviewed"));
        Response again =
                gateway.http.post("/v1/actions/" + id + "/review", signedIn("sam", Instant.now(), "sre"), "{}");

        assertThat(selfAck.status()).isEqualTo(403);
        assertThat(ack.status()).isEqualTo(200);
        assertThat(ack.json().path("breakGlass").path("review").asString()).isEqualTo("acknowledged");
        assertThat(ack.json().path("breakGlass").path("acknowledgedBy").asString())
                .isEqualTo("rita");
        assertThat(again.status()).isEqualTo(409);
        assertThat(audit().getLast().path("type").asString()).isEqualTo("breakglass.review.acknowledged");
    }

    @Test
    void breakGlass_isRefusedOutsideTheGroup_andWithoutAReason() {
        String id = submit("incident.mitigate", null);

        Response outsider = gateway.http.post(
                "/v1/actions/" + id + "/approve",
                signedIn("sam", Instant.now(), "sre"),
                json("breakGlass", true, "reason", "hurry"));
        Response noReason = gateway.http.post(
                "/v1/actions/" + id + "/approve",
                signedIn("ic", Instant.now(), "incident-commanders"),
                json("breakGlass", true));
        Response noReview =
                gateway.http.post("/v1/actions/" + id + "/review", signedIn("rita", Instant.now(), "security"), "{}");

        assertThat(outsider.status()).isEqualTo(403);
        assertThat(outsider.text("detail")).isEqualTo("sam is not in the break-glass group incident-commanders");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReview.status()).isEqualTo(409);
    }

    @Test
    void breakGlass_isForHumansOnly() {
        String id = submit("incident.mitigate", null);

        Response agent = gateway.http.post(
                "/v1/actions/" + id + "/approve", oncall, json("breakGlass", true, "reason", "I am sure"));

        assertThat(agent.status()).isEqualTo(403);
    }
}
