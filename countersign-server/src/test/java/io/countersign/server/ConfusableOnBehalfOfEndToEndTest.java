package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.ConfusableSpellings;
import io.countersign.identity.ConfusableSpellings.Spelling;
import io.countersign.identity.Human;
import io.countersign.server.Http.Response;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The issue's 27 spellings of alice against a whole gateway: each is refused at submission with a
 * 400 naming onBehalfOf, or recorded as sent, resolved to alice, kept out of her inbox, and her
 * approval refused through the API and the console alike, with the vote rule's one reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfusableOnBehalfOfEndToEndTest {

    private Path directory;
    private TestGateway gateway;
    private String agent;
    private String alice;
    private String bob;
    private String robert;
    private ConsoleClient aliceConsole;

    @BeforeAll
    void start() throws IOException {
        directory = Files.createTempDirectory("confusable-e2e");
        gateway = new TestGateway(directory);
        agent = gateway.agent("reporter");
        alice = TestCredentials.issue(gateway.data(), new Human("alice", "alice@example.com", Set.of("data-owners")));
        bob = gateway.human("bob", "data-owners");
        // Made before look-alikes were refused at creation (or straight in the database): the vote rule must still
        // hold.
        robert = TestCredentials.issue(gateway.data(), new Human("robert", "BOB@example.com", Set.of("data-owners")));
        aliceConsole = ConsoleClient.signIn(gateway.baseUrl(), alice);
    }

    @AfterAll
    void stop() throws IOException {
        gateway.close();
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    static List<Spelling> spellings() {
        return ConfusableSpellings.all();
    }

    private Response submit(String onBehalfOf) {
        return gateway.http.post(
                "/v1/actions",
                agent,
                json(
                        "action",
                        "db.export",
                        "resource",
                        "db/prod/customers",
                        "reason",
                        "churn report",
                        "onBehalfOf",
                        onBehalfOf));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spellings")
    void refusesApprovalByTheHumanTheAgentActsForUnderAConfusableSpelling(Spelling spelling) {
        Response submitted = submit(spelling.value());
        if (spelling.refusedAt() == ConfusableSpellings.RefusedAt.SUBMISSION) {
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(400);
            assertThat(submitted.contentType()).startsWith("application/problem+json");
            assertThat(submitted.text("detail")).startsWith("field 'onBehalfOf'");
            return;
        }
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = submitted.text("id");
        assertThat(submitted.json().path("action").path("onBehalfOf").asString())
                .as("kept as sent")
                .isEqualTo(spelling.value());
        assertThat(submitted.json().path("onBehalfOfPerson").path("name").asString())
                .as("resolved")
                .isEqualTo("alice");
        assertThat(submitted.json().path("onBehalfOfPerson").has("email"))
                .as("an agent is not shown the email")
                .isFalse();
        assertThat(gateway.http
                        .get("/v1/actions/" + id, bob)
                        .json()
                        .path("onBehalfOfPerson")
                        .path("email")
                        .asString())
                .isEqualTo("alice@example.com");

        assertThat(gateway.http.get("/v1/approvals", alice).body())
                .as("not in alice's inbox")
                .doesNotContain(id);
        Response api = gateway.http.post("/v1/actions/" + id + "/approve", alice, json("comment", "mine"));
        assertThat(api.status()).isEqualTo(403);
        assertThat(api.text("detail")).startsWith("alice is the human this request acts on behalf of");

        HttpResponse<String> page = aliceConsole.get("/console/requests/" + id);
        assertThat(page.body())
                .as("the console shows the vote rule's reason")
                .contains("alice is the human this request acts on behalf of");
        HttpResponse<String> console = aliceConsole.submit(
                "/console/requests/" + id, "/console/requests/" + id + "/approve", Map.of("comment", "mine"));
        assertThat(console.statusCode()).isEqualTo(403);
        assertThat(gateway.http.get("/v1/actions/" + id, agent).text("status")).isEqualTo("pending");

        assertThat(gateway.http
                        .post("/v1/actions/" + id + "/approve", bob, json("comment", "ok"))
                        .text("status"))
                .isEqualTo("approved");
    }

    @Test
    void refusesTheSamePersonUnderASecondIdentity_whenTheRequestResolvedToThem() {
        Response submitted = submit("bob");
        assertThat(submitted.json().path("onBehalfOfPerson").path("name").asString())
                .isEqualTo("bob");
        String id = submitted.text("id");

        Response refused =
                gateway.http.post("/v1/actions/" + id + "/approve", robert, json("comment", "it's for bob, not me"));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail"))
                .contains(
                        "robert is the human this request acts on behalf of ('bob', resolved to bob <bob@example.com>)");
        assertThat(gateway.http.get("/v1/audit/entries", gateway.auditor()).body())
                .contains("\"onBehalfOfPerson\":{\"email\":\"bob@example.com\",\"name\":\"bob\"}");
    }

    @Test
    void anEmptyOnBehalfOfStillMeansNobody_butABlankOneIsRefused() {
        assertThat(submit("").status()).isEqualTo(202);
        assertThat(submit("   ").status()).isEqualTo(400);
    }
}
